package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compares {@link HostRouter} with a linear-scan reference model of the same rules, over random pattern sets and
 * random queries (case changes, ports, trailing dots, IPv6 literals, junk). A tiny alphabet makes suffix overlaps and
 * near misses frequent. Fixed seeds: a failure names its seed and reproduces.
 */
class HostRouterPropertyTest {
    private static final String[] LABELS = {"a", "b", "ab", "ba", "x-y", "0"};
    private static final String[] V6 = {"::1", "2001:db8::1", "fe80::a:b"};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765, 10946})
    void lookup_randomHostsAndQueries_matchesReferenceModel(long seed) {
        Random random = new Random(seed);
        Map<String, Integer> patterns = new LinkedHashMap<>();
        int count = 1 + random.nextInt(60);
        while (patterns.size() < count) {
            String name = random.nextInt(20) == 0 ? V6[random.nextInt(V6.length)] : name(random);
            patterns.putIfAbsent(random.nextInt(3) == 0 && name.indexOf(':') < 0 ? "*." + name : name, patterns.size());
        }
        HostRouter<Integer> router = HostRouter.of(patterns);
        List<String> keys = new ArrayList<>(patterns.keySet());
        for (int q = 0; q < 2000; q++) {
            String query = query(random, keys);
            assertThat(router.lookup(query))
                    .as("seed %d, query '%s', patterns %s", seed, query, patterns)
                    .isEqualTo(reference(patterns, query));
        }
    }

    private static String name(Random random) {
        int labels = 1 + random.nextInt(4);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < labels; i++) {
            b.append(i == 0 ? "" : ".").append(LABELS[random.nextInt(LABELS.length)]);
        }
        return b.toString();
    }

    private static String query(Random random, List<String> keys) {
        String base = switch (random.nextInt(4)) {
            case 0 -> name(random);
            case 1 -> V6[random.nextInt(V6.length)];
            default -> {
                String key = keys.get(random.nextInt(keys.size()));
                // For a wildcard, sometimes the apex itself (which must not match) and sometimes 1-2 extra labels.
                yield key.startsWith("*.") ? (random.nextBoolean() ? name(random) + "." : "") + key.substring(2) : key;
            }
        };
        StringBuilder b = new StringBuilder();
        for (char c : base.toCharArray()) {
            b.append(random.nextInt(4) == 0 ? Character.toUpperCase(c) : c);
        }
        String host = b.toString();
        if (random.nextInt(5) == 0) {
            host += ".";
        }
        if (random.nextInt(8) == 0) {
            host += ".";
        }
        boolean v6 = host.indexOf(':') >= 0;
        return switch (random.nextInt(8)) {
            case 0 -> v6 ? "[" + host + "]:" + random.nextInt(65536) : host + ":" + random.nextInt(65536);
            case 1 -> v6 ? "[" + host + "]" : host + ":";
            case 2 -> v6 ? "[" + host : "." + host;
            case 3 -> random.nextBoolean() ? " " + host + "\t" : "";
            default -> host;
        };
    }

    /** The rules, written the obvious way: normalise with string operations, then scan every pattern. */
    private static Integer reference(Map<String, Integer> patterns, String query) {
        String host = query.strip();
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0 || !(host.substring(close + 1).isEmpty() || host.charAt(close + 1) == ':')) {
                return null;
            }
            host = host.substring(1, close);
        } else if (host.chars().filter(c -> c == ':').count() == 1) {
            host = host.substring(0, host.indexOf(':'));
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.isEmpty()) {
            return null;
        }
        Integer best = null;
        int bestSuffix = -1;
        for (Map.Entry<String, Integer> p : patterns.entrySet()) {
            String pattern = p.getKey();
            if (pattern.equals(host)) {
                return p.getValue();
            }
            if (pattern.startsWith("*.")) {
                String dotSuffix = pattern.substring(1);
                if (host.endsWith(dotSuffix) && host.length() > dotSuffix.length() && dotSuffix.length() > bestSuffix) {
                    best = p.getValue();
                    bestSuffix = dotSuffix.length();
                }
            }
        }
        return best;
    }
}
