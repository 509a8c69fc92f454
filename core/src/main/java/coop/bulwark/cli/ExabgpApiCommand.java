package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import coop.bulwark.upstream.ExabgpFollower;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark exabgp-api --config FILE}: run by ExaBGP as its API {@code process} ({@code encoder text}). Follows
 * the running edge's announced set through the admin API (token, loopback) once a second and writes {@code announce}
 * / {@code withdraw} lines on stdout; reads ExaBGP's acknowledgements on stdin (an {@code error} is logged on stderr,
 * which ExaBGP puts in its log). Stops when ExaBGP closes stdin. See docs/upstream.md for the ExaBGP config.
 */
@Command(
        name = "exabgp-api",
        description = "Run as ExaBGP's API process: announce and withdraw what the running edge decides.")
final class ExabgpApiCommand implements Callable<Integer> {
    @Mixin
    AdminOptions admin;

    @Option(names = "--interval", paramLabel = "DURATION", description = "How often to ask the edge (default: 1s).")
    String interval = "1s";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long sleepMillis;
        try {
            sleepMillis = millis(interval);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
        AtomicBoolean stdinOpen = new AtomicBoolean(true);
        Thread acks = Thread.ofPlatform().daemon().name("exabgp-acks").start(() -> readAcks(stdinOpen));
        ExabgpFollower follower = new ExabgpFollower();
        String lastProblem = null;
        while (stdinOpen.get()) {
            Optional<List<ExabgpFollower.Line>> set;
            try {
                set = Optional.of(lines(admin.client().callJson("GET", "api/upstream", null)));
                if (lastProblem != null) {
                    System.err.println("bulwark exabgp-api: the edge answers again");
                    lastProblem = null;
                }
            } catch (AdminClient.Failure e) {
                set = Optional.empty();
                if (!e.getMessage().equals(lastProblem)) {
                    lastProblem = e.getMessage();
                    System.err.println("bulwark exabgp-api: " + e.getMessage()
                            + "; keeping what is announced until each one's expiry");
                }
            }
            for (String line : follower.step(set, Instant.now())) {
                out.print(line + "\n");
            }
            out.flush();
            Thread.sleep(sleepMillis);
        }
        acks.join(1000);
        return 0;
    }

    private static List<ExabgpFollower.Line> lines(JsonNode upstream) {
        List<ExabgpFollower.Line> out = new ArrayList<>();
        for (JsonNode a : upstream.path("announcements")) {
            if (a.path("state").asText().equals("announced")) {
                out.add(new ExabgpFollower.Line(
                        a.path("id").asText(),
                        a.path("command").asText(),
                        a.path("withdraw_command").asText(),
                        Instant.parse(a.path("expires").asText())));
            }
        }
        return out;
    }

    /** ExaBGP answers each command with {@code done} or {@code error}; it must be read or ExaBGP blocks. */
    private static void readAcks(AtomicBoolean open) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("error")) {
                    System.err.println("bulwark exabgp-api: ExaBGP refused a command: " + line);
                }
            }
        } catch (IOException e) {
            System.err.println("bulwark exabgp-api: stdin: " + e.getMessage());
        }
        open.set(false);
    }

    private static long millis(String text) {
        String t = text.trim();
        if (t.matches("\\d{1,6}ms")) {
            return Math.max(10, Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.matches("\\d{1,4}s")) {
            return Math.max(10, Long.parseLong(t.substring(0, t.length() - 1)) * 1000);
        }
        throw new IllegalArgumentException("--interval " + text + " (expected: like 500ms or 1s)");
    }
}
