package coop.bulwark.site;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A crawler let through the challenge: its user agent <em>and</em> its source address must both match, since anyone
 * can claim to be Googlebot but only Google sends from Google's published ranges.
 *
 * @param name for logs and docs
 * @param userAgent found anywhere in the User-Agent header (a regex {@code find}, not a full match)
 * @param ranges the networks it crawls from (from {@code ranges} and {@code ranges_file}); never empty
 */
public record GoodBot(String name, Pattern userAgent, List<Cidr> ranges) {
    public GoodBot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(userAgent, "userAgent");
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("good bot " + name + ": no ranges (expected: at least one network)");
        }
    }
}
