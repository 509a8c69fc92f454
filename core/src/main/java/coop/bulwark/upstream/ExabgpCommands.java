package coop.bulwark.upstream;

import coop.bulwark.site.Cidr;
import coop.bulwark.site.UpstreamConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The ExaBGP API text for an announcement ({@code encoder text}): what {@code bulwark exabgp-api} writes on its stdout
 * and what suggest mode shows an operator.
 *
 * <pre>
 * announce flow route { match { source 198.51.100.0/24; destination 203.0.113.10/32; } then { discard; } }
 * announce route 203.0.113.10/32 next-hop self community [65535:666]
 * </pre>
 *
 * Every value comes from validated config or from the edge's own records (addresses, prefixes, communities), never
 * from a request: nothing a client sends can put text on this line.
 */
public final class ExabgpCommands {
    private ExabgpCommands() {}

    /** The line that announces {@code a}. */
    public static String announce(Announcement a, UpstreamConfig c) {
        return prefix(c) + "announce " + body(a, c, true);
    }

    /** The line that withdraws {@code a}. */
    public static String withdraw(Announcement a, UpstreamConfig c) {
        return prefix(c) + "withdraw " + body(a, c, false);
    }

    private static String prefix(UpstreamConfig c) {
        return c.neighbor().map(n -> "neighbor " + n + " ").orElse("");
    }

    private static String body(Announcement a, UpstreamConfig c, boolean announce) {
        if (a.kind() == Announcement.Kind.FLOWSPEC) {
            String match = "match { source " + text(a.source().orElseThrow()) + "; destination " + text(a.destination())
                    + "; }";
            if (!announce) {
                return "flow route { " + match + " }";
            }
            String then = c.flowspec().action() == UpstreamConfig.FlowAction.RATE_LIMIT
                    ? "rate-limit " + c.flowspec().rateLimitBytesPerSecond() + ";"
                    : "discard;";
            List<UpstreamConfig.Community> extra = c.extraCommunities();
            String communities = extra.isEmpty() ? "" : " community " + list(extra) + ";";
            return "flow route { " + match + " then { " + then + communities + " } }";
        }
        String route = "route " + text(a.destination()) + " next-hop " + c.nextHop();
        if (!announce) {
            return route;
        }
        List<UpstreamConfig.Community> all = new ArrayList<>(c.blackholeCommunities());
        all.addAll(c.extraCommunities());
        return route + " community " + list(all);
    }

    private static String list(List<UpstreamConfig.Community> communities) {
        List<String> s = new ArrayList<>();
        for (UpstreamConfig.Community c : communities) {
            s.add(c.toString());
        }
        return "[" + String.join(" ", s) + "]";
    }

    /** {@code 203.0.113.10/32}, {@code 2001:db8:0:0:0:0:0:1/128}: always with the length. */
    static String text(Cidr c) {
        try {
            return InetAddress.getByAddress(c.network()).getHostAddress() + "/" + c.prefixLength();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
