package coop.bulwark.admin;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators type them in the API and CLI: a number and a unit, {@code 90s}, {@code 30m}, {@code 1h},
 * {@code 7d}. The unit is required, as in the config file, so nobody wonders whether {@code 60} means seconds.
 */
public final class DurationText {
    public static final String EXPECTED = "a duration with a unit s, m, h or d, like 90s, 30m, 1h, 7d";
    public static final Duration MAX = Duration.ofDays(365);

    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,9})(s|m|h|d)");

    private DurationText() {}

    /** The duration, or null when {@code text} is not one or is zero or above {@link #MAX}. */
    public static Duration parse(String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        return d.isZero() || d.compareTo(MAX) > 0 ? null : d;
    }
}
