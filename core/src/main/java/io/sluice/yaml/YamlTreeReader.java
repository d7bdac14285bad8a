package io.sluice.yaml;

import io.sluice.problem.Problems;
import io.sluice.yaml.YNode.Entry;
import io.sluice.yaml.YNode.YMap;
import io.sluice.yaml.YNode.YScalar;
import io.sluice.yaml.YNode.YSeq;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Builds a {@link YNode} tree with positions from snakeyaml-engine's event stream.
 *
 * <p>We do not use snakeyaml's composer: it recurses once per nesting level (a deep document
 * overflows the stack), it constructs tagged objects, and it keeps no key positions for our
 * messages. Here nesting is an explicit stack, every explicit tag outside YAML's core schema is
 * refused without loading anything, and aliases are counted by the values they expand to, so an
 * alias bomb ends with one error instead of exhausting memory.
 */
public final class YamlTreeReader {
    private static final String CORE_TAG_PREFIX = "tag:yaml.org,2002:";
    private static final Set<String> CORE_TAGS = Set.of("str", "int", "bool", "float", "null", "map", "seq");

    private final YamlLimits limits;
    private final Optional<YamlTreeCache> cache;

    public YamlTreeReader(YamlLimits limits) {
        this(limits, Optional.empty());
    }

    /** A reader that takes the trees of texts it has read before from {@code cache}, and keeps new ones there. */
    public YamlTreeReader(YamlLimits limits, Optional<YamlTreeCache> cache) {
        this.limits = limits;
        this.cache = cache;
    }

    /** Reads one YAML document; problems go to {@code problems}; empty when the text is not usable YAML. */
    public Optional<YNode> read(String text, Problems problems) {
        if (cache.isEmpty()) {
            return parse(text, problems);
        }
        String key = YamlTreeCache.keyOf(text);
        Optional<YNode> kept = cache.get().get(key);
        if (kept.isPresent()) {
            return kept;
        }
        Builder builder = new Builder(problems);
        Optional<YNode> root = parse(text, builder);
        if (root.isPresent() && builder.clean && builder.aliases == 0) {
            cache.get().put(key, root.get());
        }
        return root;
    }

    private Optional<YNode> parse(String text, Problems problems) {
        return parse(text, new Builder(problems));
    }

    private Optional<YNode> parse(String text, Builder builder) {
        Problems problems = builder.problems;
        LoadSettings settings = LoadSettings.builder()
                .setLabel(problems.file())
                .setCodePointLimit((int) Math.min(Integer.MAX_VALUE, limits.maxBytes() + 1))
                .setMaxAliasesForCollections(limits.maxAliases())
                .setAllowDuplicateKeys(true)
                .setParseComments(false)
                .setUseMarks(true)
                .build();
        try {
            return builder.build(new ParserImpl(settings, new StreamReader(settings, text)));
        } catch (Abort abort) {
            return Optional.empty();
        } catch (MarkedYamlEngineException e) {
            Position at = e.getProblemMark().or(e::getContextMark).map(YamlTreeReader::position).orElse(Position.START);
            String what = e.getProblem() != null ? e.getProblem() : e.getContext();
            problems.error(at.line(), at.column(), "YAML syntax error: " + clean(what));
            return Optional.empty();
        } catch (ReaderException e) {
            Position at = TextPositions.ofCodePointIndex(text, e.getPosition());
            problems.error(at.line(), at.column(), "not a text file: character 0x"
                    + Integer.toHexString(e.getCodePoint()) + " cannot appear in YAML");
            return Optional.empty();
        } catch (YamlEngineException e) {
            problems.error(1, 1, "YAML error: " + clean(e.getMessage()));
            return Optional.empty();
        }
    }

    static Position position(Mark mark) {
        return new Position(mark.getLine() + 1, mark.getColumn() + 1);
    }

    private static String clean(String message) {
        if (message == null) {
            return "unreadable";
        }
        return message.replaceAll("\\s+", " ").trim();
    }

    /** Thrown after the problem has been recorded, to stop reading. */
    private static final class Abort extends RuntimeException {
        Abort() {
            super(null, null, false, false);
        }
    }

    /** A collection being read. */
    private static final class Frame {
        final boolean mapping;
        final Position position;
        final Optional<String> anchor;
        final List<YNode> items = new ArrayList<>();
        final List<Entry> entries = new ArrayList<>();
        final Map<String, Position> keys = new HashMap<>();
        YScalar pendingKey;
        boolean dropNextValue;
        long weight = 1;

        Frame(boolean mapping, Position position, Optional<String> anchor) {
            this.mapping = mapping;
            this.position = position;
            this.anchor = anchor;
        }
    }

    private final class Builder {
        private final Problems problems;
        private final Deque<Frame> stack = new ArrayDeque<>();
        private final Map<String, YNode> anchors = new HashMap<>();
        // identity, not equals: records hash their whole subtree, which is quadratic on big documents
        private final Map<YNode, Long> weights = new IdentityHashMap<>();
        private long totalNodes;
        private int aliases;
        private YNode root;
        private boolean rootDone;
        /** No problem recorded: the tree is all the text says, and may be kept. */
        private boolean clean = true;

        Builder(Problems problems) {
            this.problems = problems;
        }

        Optional<YNode> build(ParserImpl parser) {
            while (parser.hasNext()) {
                Event event = parser.next();
                Position at = event.getStartMark().map(YamlTreeReader::position).orElse(Position.START);
                switch (event.getEventId()) {
                    case DocumentStart -> {
                        if (rootDone) {
                            fail(at, "only one YAML document is allowed in this file");
                        }
                    }
                    case Scalar -> onScalar((ScalarEvent) event, at);
                    case MappingStart, SequenceStart -> onStart((CollectionStartEvent) event, at);
                    case MappingEnd, SequenceEnd -> onEnd();
                    case Alias -> onAlias((AliasEvent) event, at);
                    case DocumentEnd -> rootDone = root != null;
                    default -> {
                        // stream start/end and comments carry nothing we keep
                    }
                }
            }
            return Optional.ofNullable(root);
        }

        private void onScalar(ScalarEvent event, Position at) {
            boolean plain = event.isPlain();
            Optional<String> tag = event.getTag();
            if (tag.isPresent()) {
                String name = checkTag(tag.get(), at);
                plain = !name.equals("str");
            }
            YScalar scalar = new YScalar(event.getValue(), plain, at);
            add(scalar, 1, event, at);
        }

        private void onStart(CollectionStartEvent event, Position at) {
            event.getTag().ifPresent(tag -> checkTag(tag, at));
            if (stack.size() >= limits.maxDepth()) {
                fail(at, "YAML nested deeper than " + limits.maxDepth() + " levels");
            }
            if (!stack.isEmpty() && stack.peek().mapping && stack.peek().pendingKey == null) {
                fail(at, "a mapping key must be a plain value, not a list or mapping");
            }
            boolean mapping = event.getEventId() == Event.ID.MappingStart;
            stack.push(new Frame(mapping, at, event.getAnchor().map(a -> a.getValue())));
        }

        private void onEnd() {
            Frame frame = stack.pop();
            YNode node = frame.mapping
                    ? new YMap(List.copyOf(frame.entries), frame.position)
                    : new YSeq(List.copyOf(frame.items), frame.position);
            // the children were counted as they were added; count the collection itself
            countNodes(1, frame.position);
            weights.put(node, frame.weight);
            frame.anchor.ifPresent(name -> anchors.put(name, node));
            attach(node, frame.weight, node.position());
        }

        private void onAlias(AliasEvent event, Position at) {
            aliases++;
            if (aliases > limits.maxAliases()) {
                fail(at, "more than " + limits.maxAliases() + " YAML aliases; refusing to expand them");
            }
            String name = event.getAlias().getValue();
            YNode target = anchors.get(name);
            if (target == null) {
                fail(at, "unknown YAML anchor '" + name + "'");
            }
            long weight = weights.getOrDefault(target, 1L);
            countNodes(weight, at);
            attach(target, weight, at);
        }

        private void add(YNode node, long weight, NodeEvent event, Position at) {
            countNodes(weight, at);
            weights.put(node, weight);
            event.getAnchor().ifPresent(a -> anchors.put(a.getValue(), node));
            attach(node, weight, at);
        }

        private void attach(YNode node, long weight, Position at) {
            Frame parent = stack.peek();
            if (parent == null) {
                root = node;
                return;
            }
            parent.weight += weight;
            if (!parent.mapping) {
                parent.items.add(node);
                return;
            }
            if (parent.pendingKey == null) {
                if (!(node instanceof YScalar key)) {
                    fail(at, "a mapping key must be a plain value, not a list or mapping");
                    return;
                }
                Position first = parent.keys.putIfAbsent(key.value(), key.position());
                if (first != null) {
                    problems.error(at.line(), at.column(),
                            "duplicate key '" + key.value() + "' (first at line " + first.line() + ")");
                    parent.dropNextValue = true;
                    clean = false;
                }
                parent.pendingKey = key;
                return;
            }
            if (!parent.dropNextValue) {
                parent.entries.add(new Entry(parent.pendingKey, node));
            }
            parent.dropNextValue = false;
            parent.pendingKey = null;
        }

        private void countNodes(long weight, Position at) {
            totalNodes += weight;
            if (totalNodes > limits.maxNodes()) {
                fail(at, "YAML expands to more than " + limits.maxNodes() + " values; refusing it (an alias bomb?)");
            }
        }

        private String checkTag(String tag, Position at) {
            if (tag.startsWith(CORE_TAG_PREFIX)) {
                String name = tag.substring(CORE_TAG_PREFIX.length());
                if (CORE_TAGS.contains(name)) {
                    return name;
                }
            }
            fail(at, "YAML tag '" + tag + "' is not allowed: Sluice reads plain values, lists and mappings only");
            return "";
        }

        private void fail(Position at, String message) {
            problems.error(at.line(), at.column(), message);
            throw new Abort();
        }
    }
}
