package coop.bulwark.site;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** Binds {@code cluster:} into {@link ClusterConfig}; every problem is reported with its file, line and key. */
final class ClusterBinder {
    private ClusterBinder() {}

    /** Empty when the file has no {@code cluster:} section (a single box). */
    static Optional<ClusterConfig> bind(ConfigSection top) {
        if (top.node("cluster").isEmpty()) {
            return Optional.empty();
        }
        ConfigSection c = top.section("cluster");
        Optional<String> redis = c.text("redis");
        if (redis.isEmpty()) {
            c.missing("redis", ClusterConfig.EXPECTED_REDIS);
        } else {
            String problem = ClusterConfig.redisProblem(redis.get());
            if (problem != null) {
                // Never echo a value that may hold a password: the position says which line to look at.
                String shown = redis.get().contains("@") ? "(a URL with a password)" : null;
                YamlNode at = c.node("redis").orElseThrow();
                if (shown != null) {
                    c.problems()
                            .add(
                                    at.line(),
                                    at.column(),
                                    c.path("redis") + ": " + shown + " (expected: " + problem + ")");
                } else {
                    c.problems().invalid(at, c.path("redis"), problem);
                }
                redis = Optional.empty();
            }
        }
        String node = c.text("node").orElseGet(ClusterBinder::hostName);
        if (!ClusterConfig.validNode(node)) {
            if (c.node("node").isPresent()) {
                c.problems().invalid(c.node("node").orElseThrow(), c.path("node"), ClusterConfig.EXPECTED_NODE);
            } else {
                c.missing("node", ClusterConfig.EXPECTED_NODE + " (the host name, " + node + ", is not one)");
            }
        }
        String prefix = c.text("key_prefix").orElse(ClusterConfig.DEFAULT_KEY_PREFIX);
        if (!ClusterConfig.validKeyPrefix(prefix)) {
            c.problems()
                    .invalid(c.node("key_prefix").orElseThrow(), c.path("key_prefix"), ClusterConfig.EXPECTED_PREFIX);
        }
        Optional<Path> passwordFile = c.file("password_file");
        if (passwordFile.isPresent()) {
            String problem = passwordProblem(passwordFile.get());
            if (problem != null) {
                c.problems().invalid(c.node("password_file").orElseThrow(), c.path("password_file"), problem);
            }
        }
        c.finish();
        if (redis.isEmpty() || !ClusterConfig.validNode(node) || !ClusterConfig.validKeyPrefix(prefix)) {
            return Optional.empty(); // reported; the file is refused
        }
        return Optional.of(new ClusterConfig(redis.get(), node, prefix, passwordFile));
    }

    /** Checked at load, like certificates: a reload with an unreadable password file is refused. */
    private static String passwordProblem(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return "a readable file holding the Redis password; not found: " + file;
            }
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.isEmpty() || text.contains("\n")) {
                return "a file holding the Redis password on one line; " + file + " has "
                        + (text.isEmpty() ? "nothing" : "several lines");
            }
            return null;
        } catch (IOException e) {
            return "a readable file holding the Redis password; " + file + ": " + e.getMessage();
        }
    }

    /**
     * The default {@code node}: the kernel's host name (no DNS lookup), or the JDK's when that file is absent, lower
     * case.
     */
    static String hostName() {
        try {
            Path proc = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(proc)) {
                return Files.readString(proc, StandardCharsets.US_ASCII).strip().toLowerCase(Locale.ROOT);
            }
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "";
        }
    }
}
