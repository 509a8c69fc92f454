package coop.bulwark.challenge;

import coop.bulwark.site.GoodBot;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The configured crawlers let through the challenge. A request is a good bot's only when its User-Agent matches the
 * bot's pattern <em>and</em> its source address is in that bot's published ranges: a user agent alone is what every
 * flood tool can claim.
 *
 * <p>Immutable and thread-safe. The address is checked first (cheap, and it rules out nearly every impostor before a
 * regex runs).
 */
final class GoodBots {
    private final String[] names;
    private final Pattern[] userAgents;
    private final PrefixSet[] ranges;

    public GoodBots(List<GoodBot> bots) {
        int n = bots.size();
        names = new String[n];
        userAgents = new Pattern[n];
        ranges = new PrefixSet[n];
        for (int i = 0; i < n; i++) {
            names[i] = bots.get(i).name();
            userAgents[i] = bots.get(i).userAgent();
            ranges[i] = new PrefixSet(bots.get(i).ranges());
        }
    }

    /** The name of the good bot this request comes from, or null. */
    public String match(String userAgent, byte[] addr) {
        if (userAgent == null || names.length == 0) {
            return null;
        }
        for (int i = 0; i < names.length; i++) {
            if (ranges[i].contains(addr) && userAgents[i].matcher(userAgent).find()) {
                return names[i];
            }
        }
        return null;
    }
}
