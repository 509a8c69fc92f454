package coop.bulwark.site;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the value (a site) for a request's {@code Host} header, HTTP/2 {@code :authority} or TLS SNI name.
 *
 * <p>Rules, applied by {@link #lookup} and {@link #normalize} alike: ASCII case is ignored; a {@code :port} is
 * stripped, as are the brackets of {@code [v6]:port} (a bare IPv6 literal, having several colons, is taken whole);
 * one trailing dot is stripped (the absolute form {@code example.org.}). An exact name wins over any wildcard;
 * among wildcards the longest suffix wins. {@code *.example.org} matches {@code a.example.org} and
 * {@code a.b.example.org} but not {@code example.org}. IPv6 literals are compared as text, not as addresses.
 *
 * <p>Immutable and thread-safe; built once per config snapshot. {@link #lookup} does not allocate.
 */
/*
 * Design note. The lookup runs once per request, so it avoids the obvious substring-and-HashMap approach, which
 * allocates a lower-cased copy per candidate suffix. Instead two open-addressing tables (exact names, wildcard
 * suffixes) are probed with ranges of the caller's CharSequence: one right-to-left pass over the host computes a
 * case-folded polynomial hash, and at every dot the hash so far is exactly the hash of the suffix after it, so each
 * wildcard candidate costs one probe and no extra pass. Scanning right to left meets shorter suffixes first, so a
 * later hit always replaces an earlier one: the longest wins. Tables are at most half full, so probes are short.
 * Hosts are at most 253 characters in practice; the pass is O(length) plus one probe per label.
 */
public final class HostRouter<T> {
    private final Table<T> exact;
    private final Table<T> wildcard;
    private final int size;

    private HostRouter(Table<T> exact, Table<T> wildcard) {
        this.exact = exact;
        this.wildcard = wildcard;
        this.size = exact.size + wildcard.size;
    }

    /**
     * A router over {@code patterns}: host name → value, or {@code *.suffix} → value. Patterns are normalised
     * with {@link #normalize}; two patterns that normalise alike are rejected with {@link IllegalArgumentException}
     * (the config loader reports those with their positions before it gets here).
     */
    public static <T> HostRouter<T> of(Map<String, ? extends T> patterns) {
        List<String> exactKeys = new ArrayList<>();
        List<T> exactValues = new ArrayList<>();
        List<String> wildKeys = new ArrayList<>();
        List<T> wildValues = new ArrayList<>();
        for (Map.Entry<String, ? extends T> e : patterns.entrySet()) {
            String pattern = normalize(e.getKey());
            T value = Objects.requireNonNull(e.getValue(), "value");
            if (pattern == null) {
                throw new IllegalArgumentException("host: " + e.getKey() + " (expected: a host name)");
            }
            if (pattern.startsWith("*.")) {
                wildKeys.add(pattern.substring(2));
                wildValues.add(value);
            } else {
                exactKeys.add(pattern);
                exactValues.add(value);
            }
        }
        return new HostRouter<>(new Table<>(exactKeys, exactValues), new Table<>(wildKeys, wildValues));
    }

    /** A router from every host of every site to its site. */
    public static HostRouter<SiteConfig> forSites(List<SiteConfig> sites) {
        Map<String, SiteConfig> patterns = new LinkedHashMap<>();
        for (SiteConfig site : sites) {
            for (String host : site.hosts()) {
                if (patterns.putIfAbsent(host, site) != null) {
                    throw new IllegalArgumentException("host: " + host + " (expected: in one site only)");
                }
            }
        }
        return of(patterns);
    }

    /** Number of patterns (exact names plus wildcards). */
    public int size() {
        return size;
    }

    /**
     * The value for {@code host} (a Host header value, {@code :authority} or SNI name), or null when no pattern
     * matches or the value is malformed ({@code [::1} without its bracket, empty). Does not allocate.
     */
    public T lookup(CharSequence host) {
        if (host == null) {
            return null;
        }
        long bounds = bounds(host);
        if (bounds < 0) {
            return null;
        }
        int start = (int) (bounds >>> 32);
        int end = (int) bounds;
        int hash = 0;
        T longestWildcard = null;
        boolean anyWildcard = wildcard.size > 0;
        for (int i = end - 1; i >= start; i--) {
            char c = host.charAt(i);
            // A dot at the start would leave an empty first label, which no wildcard matches.
            if (c == '.' && anyWildcard && i > start) {
                T v = wildcard.get(host, i + 1, end, hash);
                if (v != null) {
                    longestWildcard = v;
                }
            }
            hash = 31 * hash + fold(c);
        }
        T v = exact.get(host, start, end, hash);
        return v != null ? v : longestWildcard;
    }

    /**
     * The form {@link #lookup} compares: ASCII lower case, without port, IPv6 brackets or one trailing dot; null
     * when nothing is left or the brackets are unbalanced. Wildcard patterns pass through as {@code *.suffix}.
     */
    public static String normalize(String host) {
        long bounds = bounds(host);
        if (bounds < 0) {
            return null;
        }
        int start = (int) (bounds >>> 32);
        int end = (int) bounds;
        int i = start;
        while (i < end && fold(host.charAt(i)) == host.charAt(i)) {
            i++;
        }
        if (i == end) {
            // Already in normal form (a browser's Host usually is): no copy, or a substring without the port.
            return start == 0 && end == host.length() ? host : host.substring(start, end);
        }
        StringBuilder b = new StringBuilder(end - start);
        b.append(host, start, i);
        for (; i < end; i++) {
            b.append(fold(host.charAt(i)));
        }
        return b.toString();
    }

    /** The host's range packed as {@code start << 32 | end}, or -1 when malformed or empty. */
    private static long bounds(CharSequence s) {
        int start = 0;
        int end = s.length();
        while (start < end && isOws(s.charAt(start))) {
            start++;
        }
        while (end > start && isOws(s.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return -1;
        }
        if (s.charAt(start) == '[') {
            int close = indexOf(s, ']', start + 1, end);
            if (close < 0 || (close + 1 < end && s.charAt(close + 1) != ':')) {
                return -1;
            }
            start++;
            end = close;
        } else {
            int colon = indexOf(s, ':', start, end);
            // One colon separates a port; more mean a bare IPv6 literal, which is taken whole.
            if (colon >= 0 && indexOf(s, ':', colon + 1, end) < 0) {
                end = colon;
            }
        }
        if (end > start && s.charAt(end - 1) == '.') {
            end--;
        }
        return end > start ? (long) start << 32 | end : -1;
    }

    private static int indexOf(CharSequence s, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    /** ASCII-only lower-casing: host names are ASCII (IDNs arrive as punycode), and this never depends on locale. */
    private static char fold(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** Open-addressing table keyed by lower-case strings, probed with case-folded ranges of a CharSequence. */
    private static final class Table<T> {
        private final String[] keys;
        private final int[] hashes;
        private final Object[] values;
        private final int mask;
        private final int size;

        Table(List<String> keys, List<T> values) {
            int capacity = Integer.highestOneBit(Math.max(2, keys.size() * 2 - 1)) << 1;
            this.keys = new String[capacity];
            this.hashes = new int[capacity];
            this.values = new Object[capacity];
            this.mask = capacity - 1;
            this.size = keys.size();
            for (int k = 0; k < keys.size(); k++) {
                String key = keys.get(k);
                int hash = 0;
                for (int i = key.length() - 1; i >= 0; i--) {
                    hash = 31 * hash + key.charAt(i);
                }
                int idx = spread(hash) & mask;
                while (this.keys[idx] != null) {
                    if (this.keys[idx].equals(key)) {
                        throw new IllegalArgumentException("host: " + key + " (expected: listed once)");
                    }
                    idx = (idx + 1) & mask;
                }
                this.keys[idx] = key;
                this.hashes[idx] = hash;
                this.values[idx] = values.get(k);
            }
        }

        @SuppressWarnings("unchecked")
        T get(CharSequence s, int from, int to, int hash) {
            int idx = spread(hash) & mask;
            String key;
            while ((key = keys[idx]) != null) {
                if (hashes[idx] == hash && key.length() == to - from && equalsFolded(key, s, from)) {
                    return (T) values[idx];
                }
                idx = (idx + 1) & mask;
            }
            return null;
        }

        private static boolean equalsFolded(String key, CharSequence s, int from) {
            for (int i = 0; i < key.length(); i++) {
                if (key.charAt(i) != fold(s.charAt(from + i))) {
                    return false;
                }
            }
            return true;
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
        }
    }
}
