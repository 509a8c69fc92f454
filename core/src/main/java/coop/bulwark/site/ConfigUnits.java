package coop.bulwark.site;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value syntaxes of the config file: durations ({@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}), sizes
 * ({@code 4096}, {@code 16KiB}, {@code 10MiB}, {@code 1GiB}), rates ({@code 200/s}, {@code 30/m}, {@code 1.5/h}),
 * counts, decimals and flags. Each parser returns null for text it
 * does not accept; the caller reports the problem with {@code EXPECTED_*} so wording stays in one place.
 */
final class ConfigUnits {
    static final String EXPECTED_DURATION = "a duration with a unit: ms, s, m or h, like 500ms, 10s, 2m, 1h";
    static final String EXPECTED_SIZE = "a size in bytes, or with a unit KiB, MiB or GiB, like 16KiB; KB and MB are"
            + " not accepted, to avoid 1000-vs-1024 mistakes";
    static final String EXPECTED_RATE = "a rate with a unit: /s, /m or /h, like 200/s, 30/m or 1.5/h";

    // A plain number is rejected for durations: "30" read as seconds by one tool and milliseconds by another is a
    // classic config bug, so the unit is required.
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s?(KiB|MiB|GiB)?");
    private static final Pattern COUNT = Pattern.compile("-?\\d{1,12}");
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,12}(?:\\.\\d{1,9})?");
    // Like durations, a rate needs its unit: "200" alone could mean per second or per minute.
    private static final Pattern RATE = Pattern.compile("(\\d{1,12}(?:\\.\\d{1,9})?)/(s|m|h)");

    private ConfigUnits() {}

    /** Null when {@code text} is not a duration; a hint for a unit-less number is in {@link #durationHint}. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** The expected-text for a bad duration, with a targeted hint when only the unit is missing. */
    static String durationHint(String text) {
        return COUNT.matcher(text).matches()
                ? EXPECTED_DURATION + "; add a unit, e.g. " + text + "s"
                : EXPECTED_DURATION;
    }

    /** Bytes, or -1 when {@code text} is not a size (or overflows a long). */
    static long bytes(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        int shift = m.group(2) == null
                ? 0
                : switch (m.group(2)) {
                    case "KiB" -> 10;
                    case "MiB" -> 20;
                    default -> 30;
                };
        if (n > Long.MAX_VALUE >> shift) {
            return -1;
        }
        return n << shift;
    }

    /** A decimal integer, or null (no {@code 0x}, {@code 1_000} or octal: YAML 1.1 spellings surprise people). */
    static Long count(String text) {
        return COUNT.matcher(text).matches() ? Long.parseLong(text) : null;
    }

    /** A non-negative decimal ({@code 4}, {@code 1.5}), or null; no sign, exponent or leading dot. */
    static Double decimal(String text) {
        return DECIMAL.matcher(text).matches() ? Double.valueOf(text) : null;
    }

    /** Requests per second, or null when {@code text} is not a rate; may be zero (the caller decides). */
    static Double ratePerSecond(String text) {
        Matcher m = RATE.matcher(text);
        if (!m.matches()) {
            return null;
        }
        double n = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "s" -> n;
            case "m" -> n / 60;
            default -> n / 3600;
        };
    }

    /** The expected-text for a bad rate, with a targeted hint when only the unit is missing. */
    static String rateHint(String text) {
        return DECIMAL.matcher(text).matches() ? EXPECTED_RATE + "; add a unit, e.g. " + text + "/s" : EXPECTED_RATE;
    }

    /** {@code true}/{@code false} only; YAML 1.1's yes/no/on/off are refused because they surprise people. */
    static Boolean flag(String text) {
        return switch (text) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** Formats a decimal without a needless {@code .0}, for messages. */
    static String formatNumber(double n) {
        return n == Math.rint(n) && Math.abs(n) < 1e15 ? Long.toString((long) n) : Double.toString(n);
    }

    /** Formats a duration the way a user would write it ({@code 24h}, {@code 90s}, {@code 500ms}), for messages. */
    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms > 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms > 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** Formats a byte count the way a user would write it, for messages. */
    static String formatBytes(long bytes) {
        if (bytes > 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes > 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes > 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KiB";
        }
        return Long.toString(bytes);
    }
}
