package io.sluice.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real {@code bin/sluice server} process on a free loopback port, for integration tests. */
final class SluiceServerProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final Path home;
    final int port;
    final Process process;
    final Path log;

    private SluiceServerProcess(Path home, int port, Process process, Path log) {
        this.home = home;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    static SluiceServerProcess start(Path home, Map<String, String> env, String... options) throws IOException {
        return start(home, freePort(), env, options);
    }

    static SluiceServerProcess start(Path home, int port, Map<String, String> env, String... options) throws IOException {
        Files.createDirectories(home);
        Path log = home.resolveSibling(home.getFileName() + "-server-" + System.nanoTime() + ".log");
        Process process = launch(home, port, env, log, options);
        SluiceServerProcess server = new SluiceServerProcess(home, port, process, log);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited " + process.exitValue() + ": " + Files.readString(log));
            }
            return server.healthy();
        });
        return server;
    }

    /** Starts a server process and returns it without waiting for it to be up (for refusals). */
    static Process launch(Path home, int port, Map<String, String> env, Path log, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(sluice().toString(), "--home", home.toString(), "server", "--port", String.valueOf(port)));
        command.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("SLUICE_SERVER");
        pb.environment().remove("SLUICE_TOKEN");
        return pb.start();
    }

    static Path sluice() {
        return CliRunner.examples().getParent().resolve("bin/sluice");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    boolean healthy() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/healthz")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The admin token the server wrote at first start. */
    String adminToken() throws IOException {
        return Files.readAllLines(home.resolve("credentials")).stream().filter(l -> l.startsWith("token="))
                .map(l -> l.substring("token=".length()).trim()).findFirst().orElseThrow();
    }

    /** An API call: status code and body. */
    HttpResponse<String> call(String method, String path, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, and wait for the clean shutdown. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
