package coop.bulwark.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code serve --warmup}'s duration: a number of seconds or minutes with its unit ({@code 20s}, {@code 1m}). */
final class WarmupDuration {
    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,4})(s|m)");

    /** The longest warm-up accepted: beyond it the edge would be away for longer than any restart should take. */
    static final Duration MAX = Duration.ofMinutes(5);

    private WarmupDuration() {}

    /** The duration, or null when {@code text} is not one, is zero or is above {@link #MAX}. */
    static Duration parse(String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        Duration d = m.group(2).equals("s") ? Duration.ofSeconds(n) : Duration.ofMinutes(n);
        return d.isZero() || d.compareTo(MAX) > 0 ? null : d;
    }
}
