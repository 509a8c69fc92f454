package coop.bulwark.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code Cache-Control} directives the cache acts on (RFC 9111 §5.2), parsed from every field line of a request
 * or response. Durations are in seconds; {@link #ABSENT} when the directive is missing. Unknown directives are
 * ignored (RFC 9111 §5.2.3).
 *
 * <p>Parsing rules: directive names are case-insensitive; values may be tokens or quoted strings (§5.2); when a
 * directive repeats, the first occurrence wins (§4.2.1); a delta-seconds value that is not a number counts as 0,
 * the most restrictive reading (§4.2.1), and one that overflows is capped at 2<sup>31</sup> (§1.2.2).
 *
 * @param noCacheFields the field names of a qualified {@code no-cache="a, b"} (§5.2.2.4); empty for the
 *     unqualified form, which sets {@code noCache}
 * @param privateFields the field names of a qualified {@code private="a"} (§5.2.2.7); empty for the unqualified
 *     form, which sets {@code isPrivate}
 */
record CacheControl(
        boolean noStore,
        boolean noCache,
        List<String> noCacheFields,
        boolean isPrivate,
        List<String> privateFields,
        boolean isPublic,
        boolean mustRevalidate,
        boolean proxyRevalidate,
        long maxAgeSeconds,
        long sMaxAgeSeconds,
        long staleWhileRevalidateSeconds,
        long staleIfErrorSeconds) {

    /** The value of a duration directive that is not present. */
    public static final long ABSENT = -1;

    private static final long DELTA_SECONDS_CAP = 1L << 31;

    /** No directives at all. */
    public static final CacheControl NONE = new CacheControl(
            false, false, List.of(), false, List.of(), false, false, false, ABSENT, ABSENT, ABSENT, ABSENT);

    public CacheControl {
        noCacheFields = List.copyOf(noCacheFields);
        privateFields = List.copyOf(privateFields);
    }

    /** Directives from every {@code Cache-Control} line of {@code headers}; {@link #NONE} when there is none. */
    public static CacheControl of(HeaderView headers) {
        List<String> lines = headers.getAll("cache-control");
        if (lines.isEmpty()) {
            return NONE;
        }
        Parser p = new Parser();
        for (String line : lines) {
            p.line(line);
        }
        return p.build();
    }

    /** Directives parsed from one field value, e.g. {@code "max-age=60, stale-if-error=600"}. */
    public static CacheControl parse(String value) {
        Parser p = new Parser();
        p.line(value);
        return p.build();
    }

    /** Accumulates directives over several field lines; not thread-safe. */
    private static final class Parser {
        boolean noStore;
        boolean noCache;
        final List<String> noCacheFields = new ArrayList<>(0);
        boolean isPrivate;
        final List<String> privateFields = new ArrayList<>(0);
        boolean isPublic;
        boolean mustRevalidate;
        boolean proxyRevalidate;
        long maxAge = ABSENT;
        long sMaxAge = ABSENT;
        long staleWhileRevalidate = ABSENT;
        long staleIfError = ABSENT;

        void line(String s) {
            int i = 0;
            int n = s.length();
            while (i < n) {
                // One directive: token [ "=" ( token / quoted-string ) ], then "," (RFC 9111 §5.2).
                while (i < n && (s.charAt(i) == ',' || isOws(s.charAt(i)))) {
                    i++;
                }
                int nameStart = i;
                while (i < n && s.charAt(i) != '=' && s.charAt(i) != ',' && !isOws(s.charAt(i))) {
                    i++;
                }
                if (i == nameStart) {
                    break;
                }
                String name = s.substring(nameStart, i).toLowerCase(Locale.ROOT);
                while (i < n && isOws(s.charAt(i))) {
                    i++;
                }
                String value = null;
                if (i < n && s.charAt(i) == '=') {
                    i++;
                    while (i < n && isOws(s.charAt(i))) {
                        i++;
                    }
                    if (i < n && s.charAt(i) == '"') {
                        StringBuilder b = new StringBuilder();
                        i++;
                        while (i < n && s.charAt(i) != '"') {
                            if (s.charAt(i) == '\\' && i + 1 < n) {
                                i++;
                            }
                            b.append(s.charAt(i++));
                        }
                        i++; // closing quote (or end of an unterminated string)
                        value = b.toString();
                    } else {
                        int valueStart = i;
                        while (i < n && s.charAt(i) != ',') {
                            i++;
                        }
                        value = s.substring(valueStart, i).strip();
                    }
                }
                while (i < n && s.charAt(i) != ',') {
                    i++; // junk after a directive: skip to the next one
                }
                directive(name, value);
            }
        }

        void directive(String name, String value) {
            switch (name) {
                case "no-store" -> noStore = true;
                case "no-cache" -> {
                    if (value == null || value.isBlank()) {
                        noCache = true;
                    } else {
                        fieldNames(value, noCacheFields);
                    }
                }
                case "private" -> {
                    if (value == null || value.isBlank()) {
                        isPrivate = true;
                    } else {
                        fieldNames(value, privateFields);
                    }
                }
                case "public" -> isPublic = true;
                case "must-revalidate" -> mustRevalidate = true;
                case "proxy-revalidate" -> proxyRevalidate = true;
                case "max-age" -> maxAge = maxAge == ABSENT ? seconds(value) : maxAge;
                case "s-maxage" -> sMaxAge = sMaxAge == ABSENT ? seconds(value) : sMaxAge;
                case "stale-while-revalidate" ->
                    staleWhileRevalidate = staleWhileRevalidate == ABSENT ? seconds(value) : staleWhileRevalidate;
                case "stale-if-error" -> staleIfError = staleIfError == ABSENT ? seconds(value) : staleIfError;
                default -> {
                    // RFC 9111 §5.2.3: unrecognised directives are ignored.
                }
            }
        }

        CacheControl build() {
            return new CacheControl(
                    noStore,
                    noCache,
                    noCacheFields,
                    isPrivate,
                    privateFields,
                    isPublic,
                    mustRevalidate,
                    proxyRevalidate,
                    maxAge,
                    sMaxAge,
                    staleWhileRevalidate,
                    staleIfError);
        }
    }

    private static void fieldNames(String list, List<String> into) {
        for (String f : list.split(",")) {
            String name = f.strip().toLowerCase(Locale.ROOT);
            if (!name.isEmpty()) {
                into.add(name);
            }
        }
    }

    /** delta-seconds (RFC 9111 §1.2.2): digits only; garbage reads as 0, overflow as 2^31. */
    static long seconds(String value) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        long v = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            v = v * 10 + (c - '0');
            if (v >= DELTA_SECONDS_CAP) {
                return DELTA_SECONDS_CAP;
            }
        }
        return v;
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }
}
