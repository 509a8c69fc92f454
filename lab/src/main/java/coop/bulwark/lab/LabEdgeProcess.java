package coop.bulwark.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Bulwark a lab run measures, as its own process: {@code bulwark serve} with the run's generated config, pinned
 * to CPU 0 where the machine has more than one (the lab's clients and origin keep off it where three or more cores
 * leave them two: see {@link Lab#keepOffCpuZero}), so the run measures the edge and not a JVM shared with its own
 * load generator. The lab follows it through its event log
 * (JSON lines on its stderr), its admin API on loopback, and its CPU time in {@code /proc}.
 */
final class LabEdgeProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path dir;
    private final InetSocketAddress http;
    private final int adminPort;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread reader;
    private String token;

    private LabEdgeProcess(Process process, Path dir, InetSocketAddress http, int adminPort, Thread reader) {
        this.process = process;
        this.dir = dir;
        this.http = http;
        this.adminPort = adminPort;
        this.reader = reader;
    }

    /**
     * Starts {@code bulwark serve} on {@code yaml} (with {@code LISTEN} and {@code ADMIN} placeholders for the two
     * ports) in {@code dir}; each event-log line goes to {@code events}, warnings and errors to {@code progress}.
     * Returns once it answers on its listener.
     */
    static LabEdgeProcess start(String yaml, Path dir, Consumer<JsonNode> events, PrintStream progress)
            throws IOException, InterruptedException {
        int port = LoopbackPorts.free();
        int admin = LoopbackPorts.free();
        Files.createDirectories(dir);
        Path config = dir.resolve("bulwark.yaml");
        Files.writeString(
                config,
                yaml.replace("127.0.0.1:LISTEN", "127.0.0.1:" + port).replace("127.0.0.1:ADMIN", "127.0.0.1:" + admin));
        List<String> command = new ArrayList<>();
        if (Runtime.getRuntime().availableProcessors() > 1) {
            command.addAll(List.of("taskset", "-c", "0"));
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        // The edge measured is the edge deployed: the same JVM flags as ./bulwark and the systemd unit.
        EdgeJvmOptions.find(progress).forEach(f -> command.add("@" + f));
        // For profiling the edge under test, e.g. BULWARK_LAB_EDGE_JAVA_OPTS=-XX:StartFlightRecording=filename=e.jfr
        String extra = System.getenv("BULWARK_LAB_EDGE_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.strip().split("\\s+")));
        }
        command.addAll(List.of(
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                "coop.bulwark.cli.Main",
                "serve",
                "--config",
                config.toString()));
        command.addAll(EdgeJvmOptions.warmupArguments());
        Process p = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("access.log").toFile())
                .start();
        p.getOutputStream().close();
        Thread reader = Thread.ofPlatform().daemon().name("lab-edge-log").start(() -> follow(p, events, progress));
        LabEdgeProcess edge = new LabEdgeProcess(p, dir, new InetSocketAddress("127.0.0.1", port), admin, reader);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90); // the JIT warm-up takes up to 30 s
        while (!edge.answers()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                edge.close();
                throw new IOException("the lab's edge did not start (" + dir.resolve("bulwark.yaml") + ")");
            }
            Thread.sleep(100);
        }
        return edge;
    }

    private boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(http, 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void follow(Process p, Consumer<JsonNode> events, PrintStream progress) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("{\"event\"")) {
                    try {
                        events.accept(JSON.readTree(line));
                    } catch (IOException e) {
                        progress.println("lab: edge event not read: " + line);
                    }
                } else if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                    progress.println("edge: " + line);
                }
            }
        } catch (IOException e) {
            // the edge has stopped
        }
    }

    InetSocketAddress httpAddress() {
        return http;
    }

    /** {@code GET path} of the edge's admin API; null when it does not answer. */
    JsonNode admin(String path) {
        try {
            if (token == null) {
                token = Files.readString(dir.resolve("bulwark-admin.token")).strip();
            }
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                            .timeout(Duration.ofSeconds(2))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Bans in force now (0 when the API does not answer). */
    int activeBans() {
        JsonNode s = admin("/api/status");
        return s == null ? 0 : s.path("totals").path("bans_active").asInt();
    }

    /** CPU seconds (user and system) the edge's process has used so far; NaN where /proc cannot tell. */
    double cpuSeconds() {
        return ProcessCpu.seconds(process.pid());
    }

    /** Stops the edge (SIGTERM: a clean drain, its reports written), by its PID. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        reader.join(2_000);
    }
}
