package coop.bulwark.site;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code cluster:}: several edges sharing bans, challenge keys and operator state pins through one Redis. Absent, the
 * edge is a single box and needs no Redis at all.
 *
 * @param redis where Redis is: {@code redis://HOST:PORT}, {@code rediss://HOST:PORT} (TLS) or
 *     {@code redis-sentinel://HOST:PORT[,HOST:PORT...]#MASTER}, optionally with {@code /DB}; never a password (that is
 *     {@code passwordFile}'s job, so the config file holds no secret)
 * @param node this edge's name in the cluster, unique among the nodes (two running edges with one name are refused)
 * @param keyPrefix the start of every Redis key and channel Bulwark uses, so several clusters can share one Redis
 * @param passwordFile a file holding the Redis password (AUTH), or empty for none
 */
public record ClusterConfig(String redis, String node, String keyPrefix, Optional<Path> passwordFile) {
    public static final String DEFAULT_KEY_PREFIX = "bulwark";

    /** What {@code redis:} must look like, for messages. */
    public static final String EXPECTED_REDIS =
            "redis://HOST:PORT, rediss://HOST:PORT or redis-sentinel://HOST:PORT[,HOST:PORT...]#MASTER (no password:"
                    + " use password_file)";

    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+)(:[0-9]{1,5})?");

    public ClusterConfig {
        Objects.requireNonNull(redis, "redis");
        String problem = redisProblem(redis);
        if (problem != null) {
            throw new IllegalArgumentException("redis: " + redis + " (expected: " + problem + ")");
        }
        if (!validNode(node)) {
            throw new IllegalArgumentException("node: " + node + " (expected: " + EXPECTED_NODE + ")");
        }
        if (!validKeyPrefix(keyPrefix)) {
            throw new IllegalArgumentException("key_prefix: " + keyPrefix + " (expected: " + EXPECTED_PREFIX + ")");
        }
        Objects.requireNonNull(passwordFile, "passwordFile");
    }

    /** For messages about {@code node:}. */
    public static final String EXPECTED_NODE =
            "a name of letters, digits, '.', '_' or '-' (at most 63, starting with a letter or digit), like edge-1";

    /** For messages about {@code key_prefix:}. */
    public static final String EXPECTED_PREFIX =
            "letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit), like bulwark";

    public static boolean validNode(String node) {
        return node != null && NODE.matcher(node).matches();
    }

    public static boolean validKeyPrefix(String prefix) {
        return prefix != null && PREFIX.matcher(prefix).matches();
    }

    /** Whether Redis is reached over TLS ({@code rediss://}). */
    public boolean tls() {
        return redis.startsWith("rediss://");
    }

    /**
     * What is wrong with a {@code redis:} value (the expected form, for a message), or null when it is usable. Checked
     * here rather than by the Redis client so a typo is a config error at its line, not a log line at run time.
     */
    public static String redisProblem(String redis) {
        URI uri;
        try {
            uri = new URI(redis);
        } catch (URISyntaxException e) {
            return EXPECTED_REDIS;
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss") || scheme.equals("redis-sentinel"))) {
            return EXPECTED_REDIS;
        }
        if (uri.getRawQuery() != null) {
            return EXPECTED_REDIS + "; no ?query: timeouts and TLS are Bulwark's";
        }
        String rest = redis.substring(scheme.length() + 3);
        int hash = rest.indexOf('#');
        String fragment = hash < 0 ? null : rest.substring(hash + 1);
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        int slash = rest.indexOf('/');
        String hosts = slash < 0 ? rest : rest.substring(0, slash);
        String db = slash < 0 ? "" : rest.substring(slash + 1);
        if (hosts.contains("@")) {
            return EXPECTED_REDIS + "; put the password in password_file, not in the URL";
        }
        if (!db.isEmpty() && !db.matches("[0-9]{1,2}")) {
            return EXPECTED_REDIS + "; /DB is a database number 0-15";
        }
        String[] list = hosts.split(",", -1);
        if (!scheme.equals("redis-sentinel") && list.length != 1) {
            return EXPECTED_REDIS + "; several hosts only with redis-sentinel://";
        }
        for (String hp : list) {
            var m = HOST_PORT.matcher(hp);
            if (!m.matches()) {
                return EXPECTED_REDIS;
            }
            if (m.group(2) != null) {
                int port = Integer.parseInt(m.group(2).substring(1));
                if (port < 1 || port > 65535) {
                    return EXPECTED_REDIS + "; a port 1-65535";
                }
            }
        }
        if (scheme.equals("redis-sentinel") && (fragment == null || fragment.isEmpty())) {
            return EXPECTED_REDIS + "; a sentinel URL names its master after #";
        }
        if (!scheme.equals("redis-sentinel") && fragment != null) {
            return EXPECTED_REDIS + "; #MASTER only with redis-sentinel://";
        }
        return null;
    }

    @Override
    public String toString() {
        // Never a secret: the password is read from its file by the Redis backend, never kept here.
        return "cluster " + node + " on " + redis + " (prefix " + keyPrefix + ")";
    }
}
