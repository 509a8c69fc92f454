package coop.bulwark.edge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cache-busting flood on site0.test and site1.test from 127.0.1.x, run in a JVM of its own at nice 10, as
 * {@code bench/flood-cost.sh} runs its bots: in the test's JVM, 240 flood threads reconnecting in a tight loop took the
 * edge's two cores from it, and the bystanders' latency measured that as much as the edge. Each connection sends
 * keep-alive GETs until the edge closes it, then opens another, as an attacker would. Loopback only, bounded in time.
 *
 * <p>Also the flood's {@code main}: {@code FloodProcess HOST PORT CONNECTIONS MILLIS}; it prints {@code flooding}
 * once its connections start and {@code requests N} when they have stopped.
 */
final class FloodProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final List<String> lines = new ArrayList<>();

    private FloodProcess(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts the flood and returns once it is sending. */
    static FloodProcess start(InetSocketAddress edge, int connections, Duration run) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(
                "nice",
                "-n",
                "10",
                java,
                "-cp",
                System.getProperty("java.class.path"),
                FloodProcess.class.getName(),
                edge.getAddress().getHostAddress(),
                Integer.toString(edge.getPort()),
                Integer.toString(connections),
                Long.toString(run.toMillis()));
        FloodProcess flood = new FloodProcess(
                new ProcessBuilder(command).redirectErrorStream(true).start());
        flood.awaitLine("flooding");
        return flood;
    }

    /** The number of requests the flood sent, once it has stopped by itself. */
    int requests() throws IOException {
        String done = awaitLine("requests ");
        return Integer.parseInt(done.substring("requests ".length()).strip());
    }

    private String awaitLine(String prefix) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
            lines.add(line);
        }
        throw new IOException("the flood process ended without '" + prefix + "': " + String.join("\n", lines));
    }

    @Override
    public void close() throws InterruptedException {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /**
     * Flood bot {@code n} until {@code deadline}: from 127.0.1.(1 + n % 250), cache-busting GETs on site0 or site1
     * (by {@code n}'s parity), one after another on a keep-alive connection, and a new connection whenever the edge
     * or the origin gives up on one (as an attacker would). Counts each request in {@code sent}.
     */
    static void bot(InetAddress edge, int port, int n, long deadline, int readTimeoutMillis, AtomicInteger sent)
            throws IOException {
        InetAddress from = InetAddress.getByAddress(new byte[] {127, 0, 1, (byte) (1 + n % 250)});
        String host = "site" + (n % 2) + ".test";
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket(edge, port, from, 0)) {
                s.setSoTimeout(readTimeoutMillis);
                while (System.nanoTime() < deadline) {
                    IsolationIntegrationTest.get(s, host, "/?x=" + sent.incrementAndGet());
                }
            } catch (IOException e) {
                // the edge or origin gave up on this connection: open another
            }
        }
    }

    public static void main(String[] args) throws Exception {
        InetAddress edgeAddress = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        int connections = Integer.parseInt(args[2]);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[3]));
        AtomicInteger sent = new AtomicInteger();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < connections; c++) {
                int n = c;
                pool.submit(() -> {
                    bot(edgeAddress, port, n, deadline, 3000, sent);
                    return null;
                });
            }
            System.out.println("flooding");
            System.out.flush();
        }
        System.out.println("requests " + sent.get());
        System.out.flush();
    }
}
