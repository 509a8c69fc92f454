package coop.bulwark.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace a test makes for itself ({@code bw-…}), with loopback up, deleted by name on {@link #close}
 * together with every process still in it (all of them started by the test). Needs root; {@link #available()} says
 * whether this machine lets us make one, so tests can skip with the reason.
 */
public final class Netns implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates {@code bw-ROLE-PID-N} with loopback up. */
    public static Netns create(String role) {
        String name = "bw-" + role + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        Result r = host("ip", "netns", "add", name);
        if (r.code() != 0) {
            throw new IllegalStateException("ip netns add " + name + ": " + r.output());
        }
        Netns ns = new Netns(name);
        ns.run("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** Null when namespaces can be made here, else why not (not root, no ip, a sandbox without CAP_SYS_ADMIN). */
    public static String unavailableReason() {
        String probe = "bw-probe-" + ProcessHandle.current().pid();
        Result r = host("ip", "netns", "add", probe);
        if (r.code() != 0) {
            return "cannot create network namespaces here: " + r.output().strip();
        }
        host("ip", "netns", "del", probe);
        return null;
    }

    public String name() {
        return name;
    }

    /** The command prefix that runs a program inside the namespace. */
    public List<String> exec(String... command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(List.of(command));
        return c;
    }

    /** Runs a command inside the namespace to completion (at most 30 s). */
    public Result run(String... command) {
        return host(exec(command).toArray(String[]::new));
    }

    /** Runs a command inside and fails the test when it fails. */
    public String ok(String... command) {
        Result r = run(command);
        if (r.code() != 0) {
            throw new IllegalStateException(
                    String.join(" ", command) + " in " + name + ": exit " + r.code() + ": " + r.output());
        }
        return r.output();
    }

    /** Runs a command on the host (only namespace management: ip netns, ip link add … netns …). */
    public static Result host(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** Kills what still runs inside (the test's own processes), then deletes the namespace. */
    @Override
    public void close() {
        Result pids = host("ip", "netns", "pids", name);
        for (String pid : pids.output().split("\\s+")) {
            if (pid.matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        host("ip", "netns", "del", name);
    }

    /** A command's exit code and output (stdout and stderr together). */
    public record Result(int code, String output) {}
}
