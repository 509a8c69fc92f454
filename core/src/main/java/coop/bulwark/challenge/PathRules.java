package coop.bulwark.challenge;

import java.util.List;

/**
 * Path patterns for requests that are never challenged (APIs, feeds, robots.txt, sitemaps, well-known URIs): machines
 * read them, and a challenge page would only break them. A pattern is matched against the whole path (no query);
 * {@code *} stands for any run of characters, {@code /} included; everything else matches itself, case-sensitively:
 * {@code /api/*}, {@code *.rss}, {@code /sitemap*.xml}.
 *
 * <p>Immutable and thread-safe; {@link #matches} allocates nothing.
 */
final class PathRules {
    private final String[] patterns;

    private PathRules(List<String> patterns) {
        this.patterns = patterns.toArray(String[]::new);
    }

    /** Rules from patterns already validated by the config loader (each starts with {@code /} or {@code *}). */
    public static PathRules of(List<String> patterns) {
        for (String p : patterns) {
            if (p.isEmpty() || (p.charAt(0) != '/' && p.charAt(0) != '*')) {
                throw new IllegalArgumentException("path pattern: " + p + " (expected: starting with / or *)");
            }
        }
        return new PathRules(patterns);
    }

    /** Whether the path of {@code uri} (the part before any {@code ?} or {@code #}) matches a pattern. */
    public boolean matches(String uri) {
        int end = uri.length();
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        for (String p : patterns) {
            if (glob(p, uri, end)) {
                return true;
            }
        }
        return false;
    }

    /** Iterative wildcard match with single-star backtracking: O(pattern × path) at worst, no recursion. */
    static boolean glob(String p, String s, int end) {
        int pi = 0;
        int si = 0;
        int star = -1;
        int mark = 0;
        while (si < end) {
            if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = si;
            } else if (pi < p.length() && p.charAt(pi) == s.charAt(si)) {
                pi++;
                si++;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }
}
