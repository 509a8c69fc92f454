package coop.bulwark.cache;

import java.util.Arrays;
import java.util.Set;

/**
 * How a site's cache key treats the query string. Under attack the proxy may switch a site to {@link Ignore} or
 * {@link Allowlist} so that {@code /?x=8u3f}-style cache busting lands on one entry instead of the origin.
 *
 * <p>Parameters are compared as sent: no percent-decoding and no case folding, because the origin may distinguish
 * them. Empty parameters ({@code a=1&&b=2}) are dropped by every rule except {@link Keep}. Repeated names keep their
 * relative order, since {@code a=1&a=2} and {@code a=2&a=1} can mean different things to an application.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public sealed interface QueryRule {
    /** YAML name of the rule: {@code keep}, {@code sorted}, {@code allowlist}, {@code ignore}. */
    String configName();

    /**
     * Appends the normalised form of {@code query} (the text after {@code ?}, without it) to {@code key}, preceded
     * by {@code ?} when anything remains.
     */
    void append(String query, StringBuilder key);

    /** The query exactly as sent, {@code ?} included even when empty. */
    record Keep() implements QueryRule {
        @Override
        public String configName() {
            return "keep";
        }

        @Override
        public void append(String query, StringBuilder key) {
            key.append('?').append(query);
        }
    }

    /** Parameters stably sorted by name, so {@code ?b=1&a=2} and {@code ?a=2&b=1} share an entry. */
    record Sorted() implements QueryRule {
        @Override
        public String configName() {
            return "sorted";
        }

        @Override
        public void append(String query, StringBuilder key) {
            appendSorted(query.split("&"), null, key);
        }
    }

    /** Only parameters named in {@code names}, stably sorted by name; an empty set behaves like {@link Ignore}. */
    record Allowlist(Set<String> names) implements QueryRule {
        public Allowlist {
            names = Set.copyOf(names);
        }

        @Override
        public String configName() {
            return "allowlist";
        }

        @Override
        public void append(String query, StringBuilder key) {
            if (!names.isEmpty()) {
                appendSorted(query.split("&"), names, key);
            }
        }
    }

    /** No query at all: every query string of a path shares one entry. */
    record Ignore() implements QueryRule {
        @Override
        public String configName() {
            return "ignore";
        }

        @Override
        public void append(String query, StringBuilder key) {}
    }

    QueryRule KEEP = new Keep();
    QueryRule SORTED = new Sorted();
    QueryRule IGNORE = new Ignore();

    private static void appendSorted(String[] params, Set<String> allowed, StringBuilder key) {
        int kept = 0;
        for (String p : params) {
            if (!p.isEmpty() && (allowed == null || allowed.contains(name(p)))) {
                params[kept++] = p;
            }
        }
        if (kept == 0) {
            return;
        }
        // Arrays.sort on objects is a stable merge sort, which keeps repeated names in their sent order.
        Arrays.sort(params, 0, kept, QueryRule::compareNames);
        key.append('?');
        for (int i = 0; i < kept; i++) {
            if (i > 0) {
                key.append('&');
            }
            key.append(params[i]);
        }
    }

    private static String name(String param) {
        int eq = param.indexOf('=');
        return eq < 0 ? param : param.substring(0, eq);
    }

    private static int compareNames(String a, String b) {
        int ea = a.indexOf('=');
        int eb = b.indexOf('=');
        int la = ea < 0 ? a.length() : ea;
        int lb = eb < 0 ? b.length() : eb;
        int n = Math.min(la, lb);
        for (int i = 0; i < n; i++) {
            int d = a.charAt(i) - b.charAt(i);
            if (d != 0) {
                return d;
            }
        }
        return la - lb;
    }
}
