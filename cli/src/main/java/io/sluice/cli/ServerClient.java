package io.sluice.cli;

import io.sluice.engine.SluiceHome;
import io.sluice.executor.ProcTable;
import io.sluice.server.ServerLock;
import io.sluice.server.Tokens;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Talks to a Sluice server (SPEC §6): the one named by {@code --server} or $SLUICE_SERVER (with the
 * token in $SLUICE_TOKEN), or the one running on the same home (with the home's admin token).
 * Error answers become one-line errors with SPEC exit codes.
 */
final class ServerClient {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String url;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServerClient(String url, String token) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token;
    }

    /** The server to use, if any: --server, $SLUICE_SERVER, or a live server on the home. */
    static Optional<ServerClient> find(Sluice root, SluiceHome home) {
        String named = root.server != null ? root.server : System.getenv("SLUICE_SERVER");
        if (named != null && !named.isBlank()) {
            if (!named.startsWith("http://") && !named.startsWith("https://")) {
                throw UserError.usage("--server '" + named + "': an http:// or https:// URL");
            }
            String token = Optional.ofNullable(System.getenv("SLUICE_TOKEN")).filter(t -> !t.isBlank())
                    .or(() -> Tokens.fromCredentials(home.root()))
                    .orElseThrow(() -> UserError.usage("talking to " + named + " needs a token: set SLUICE_TOKEN"));
            return Optional.of(new ServerClient(named, token));
        }
        try {
            String info = Files.readString(home.root().resolve(ServerLock.INFO));
            JsonNode node = JSON.readTree(info);
            long pid = node.path("pid").asLong(-1);
            String start = node.path("start").asString("");
            boolean alive = pid > 0 && (start.isEmpty() ? ProcTable.startTime(pid).isPresent() : ProcTable.isAlive(pid, start));
            if (!alive) {
                return Optional.empty(); // a stale file from a server that died (its pid may be reused)
            }
            String token = Optional.ofNullable(System.getenv("SLUICE_TOKEN")).filter(t -> !t.isBlank())
                    .or(() -> Tokens.fromCredentials(home.root()))
                    .orElseThrow(() -> UserError.usage("a server runs on this home, but its credentials are unreadable; set SLUICE_TOKEN"));
            return Optional.of(new ServerClient(node.path("url").asString(), token));
        } catch (UserError e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // no server.json, or one being written: no server to talk to
        }
    }

    static ServerClient of(String url, String token) {
        return new ServerClient(url, token);
    }

    String url() {
        return url;
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    }

    JsonNode post(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    JsonNode postBytes(String path, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    JsonNode put(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Sends, and returns the JSON answer; a refused deploy (422) comes back too, as an answer. */
    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new UserError(UserError.BAD, "cannot reach the server at " + url + " (is it running?)");
        } catch (IOException e) {
            throw new UserError(UserError.BAD, "the server at " + url + " did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError(UserError.BAD, "interrupted");
        }
        int status = response.statusCode();
        JsonNode body;
        try {
            body = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (RuntimeException e) {
            throw new UserError(UserError.BAD, "the server answered HTTP " + status + " with something that is not JSON");
        }
        if (status < 300 || status == 422) {
            return body;
        }
        String message = body.path("error").path("message").asString("HTTP " + status);
        int exit = status == 400 || status == 404 || status == 401 || status == 403 ? UserError.USAGE : UserError.BAD;
        throw new UserError(exit, message);
    }
}
