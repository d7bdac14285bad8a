package io.sluice.store;

import io.sluice.run.RunState;
import io.sluice.run.StepState;
import io.sluice.run.TaskState;
import io.sluice.run.WaitReason;
import java.io.StringWriter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/** Row mappers and value codecs of the store; written by hand so that no reflection runs at startup. */
final class Rows {
    /** Made on first use (see {@link #STREAMS}). */
    static final class Json {
        static final JsonMapper MAPPER = JsonMapper.builder().build();
    }

    /**
     * A run's params, a flat map of strings, are read and written by Jackson's streaming layer:
     * building a JsonMapper costs a cold CLI about 17 ms, and {@code sluice run} needs no other JSON.
     */
    private static final JsonFactory STREAMS = new JsonFactory();

    private Rows() {
    }

    static final RowMapper<RunRecord> RUN = (rs, ctx) -> new RunRecord(
            rs.getString("id"),
            rs.getString("pipeline"),
            rs.getString("version"),
            RunKind.fromWireName(rs.getString("kind")),
            Optional.ofNullable(rs.getString("source_path")),
            rs.getString("logical_date"),
            Instant.parse(rs.getString("interval_start")),
            Instant.parse(rs.getString("interval_end")),
            stringMap(rs.getString("params")),
            RunState.valueOf(rs.getString("state")),
            Optional.ofNullable(rs.getString("reason")),
            StepState.valueOf(rs.getString("setup_state")),
            StepState.valueOf(rs.getString("teardown_state")),
            rs.getInt("cancel_requested") != 0,
            rs.getInt("timed_out") != 0,
            Optional.ofNullable(rs.getString("workspace")),
            Instant.parse(rs.getString("created_at")),
            instant(rs, "started_at"),
            instant(rs, "ended_at"),
            rs.getInt("round"),
            rs.getLong("row_version"),
            Optional.ofNullable(rs.getString("owner")));

    static final RowMapper<TaskRecord> TASK = (rs, ctx) -> new TaskRecord(
            rs.getString("run_id"),
            rs.getString("task_id"),
            rs.getInt("position"),
            TaskState.valueOf(rs.getString("state")),
            Optional.ofNullable(rs.getString("wait_reason")).map(WaitReason::valueOf),
            rs.getInt("attempts"),
            integer(rs, "exit_code"),
            Optional.ofNullable(rs.getString("cause")),
            rs.getInt("attempt_base"));

    static final RowMapper<AttemptRecord> ATTEMPT = (rs, ctx) -> new AttemptRecord(
            rs.getString("run_id"),
            rs.getString("task_id"),
            rs.getInt("attempt"),
            rs.getString("log_path"),
            rs.getString("exit_path"),
            longValue(rs, "pid"),
            Optional.ofNullable(rs.getString("pid_start")),
            Instant.parse(rs.getString("started_at")),
            instant(rs, "ended_at"),
            integer(rs, "exit_code"),
            Optional.ofNullable(rs.getString("outcome")),
            Optional.ofNullable(rs.getString("playbook_entry")));

    static final RowMapper<TransitionRecord> RUN_TRANSITION = (rs, ctx) -> new TransitionRecord(
            rs.getString("run_id"), Optional.empty(), 0, Instant.parse(rs.getString("at")),
            Optional.ofNullable(rs.getString("from_state")), rs.getString("to_state"), rs.getString("event"),
            Optional.ofNullable(rs.getString("cause")));

    static final RowMapper<TransitionRecord> TASK_TRANSITION = (rs, ctx) -> new TransitionRecord(
            rs.getString("run_id"), Optional.of(rs.getString("task_id")), rs.getInt("attempt"), Instant.parse(rs.getString("at")),
            Optional.ofNullable(rs.getString("from_state")), rs.getString("to_state"), rs.getString("event"),
            Optional.ofNullable(rs.getString("cause")));

    static final RowMapper<StoredDefinition> DEFINITION = (rs, ctx) -> new StoredDefinition(
            rs.getString("version"), rs.getString("pipeline"), rs.getString("pipeline_yaml"),
            Optional.ofNullable(rs.getString("playbook_md")));

    static String json(Map<String, String> map) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = STREAMS.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            for (Map.Entry<String, String> e : map.entrySet()) {
                g.writeStringProperty(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        return out.toString();
    }

    /** A JSON object of strings, in its order. */
    static Map<String, String> stringMap(String json) {
        Map<String, String> map = new LinkedHashMap<>();
        try (JsonParser p = STREAMS.createParser(ObjectReadContext.empty(), json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new StoreException("a run's params are not a JSON object: " + json);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                p.nextToken();
                map.put(name, p.getString());
            }
        }
        return map;
    }

    static String name(Enum<?> e) {
        return e == null ? null : e.name();
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        return text == null ? Optional.empty() : Optional.of(Instant.parse(text));
    }

    static Optional<Integer> integer(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(v);
    }

    static Optional<Long> longValue(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(v);
    }
}
