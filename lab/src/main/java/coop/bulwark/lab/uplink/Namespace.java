package coop.bulwark.lab.uplink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace the lab made for itself, deleted by name on {@link #close} together with every process still
 * in it (all of them the lab's own). Commands run inside with {@code ip netns exec}, which works from any namespace:
 * the names live in {@code /run/netns}, not in a network.
 */
final class Namespace implements AutoCloseable {
    private final String name;

    private Namespace(String name) {
        this.name = name;
    }

    /** Makes {@code name} (deleting a leftover of that name first: the lab's names are its own) with loopback up. */
    static Namespace create(String name) throws IOException {
        run(List.of("ip", "netns", "del", name));
        Result r = run(List.of("ip", "netns", "add", name));
        if (r.code() != 0) {
            throw new IOException("ip netns add " + name + ": " + r.output().strip());
        }
        Namespace ns = new Namespace(name);
        ns.ok("ip", "link", "set", "lo", "up");
        return ns;
    }

    String name() {
        return name;
    }

    /** The command line that runs {@code command} inside. */
    List<String> exec(String... command) {
        return exec(List.of(command));
    }

    List<String> exec(List<String> command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(command);
        return c;
    }

    /** Runs {@code command} inside to completion (at most 30 s). */
    Result run(String... command) {
        return run(exec(command));
    }

    /** Runs {@code command} inside; an exit code other than 0 is an {@link IOException} with its output. */
    String ok(String... command) throws IOException {
        Result r = run(command);
        if (r.code() != 0) {
            throw new IOException(String.join(" ", command) + " (in " + name + "): "
                    + r.output().strip());
        }
        return r.output();
    }

    /** Runs {@code command} inside with {@code input} on its standard input. */
    Result feed(String input, String... command) {
        return run(exec(command), input);
    }

    static Result run(List<String> command) {
        return run(command, null);
    }

    static Result run(List<String> command, String input) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (var in = p.getOutputStream()) {
                if (input != null) {
                    in.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** Kills what still runs inside (the lab's own processes), then deletes the namespace by name. */
    @Override
    public void close() {
        for (String pid : run(List.of("ip", "netns", "pids", name)).output().split("\\s+")) {
            if (pid.matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        run(List.of("ip", "netns", "del", name));
    }

    /** A command's exit code and its output (stdout and stderr together). */
    record Result(int code, String output) {}
}
