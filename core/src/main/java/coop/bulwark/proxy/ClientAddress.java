package coop.bulwark.proxy;

import coop.bulwark.site.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Client addresses from text: IP literals (never a DNS lookup), trusted-proxy membership, and the client behind
 * trusted proxies' {@code X-Forwarded-For}. No Netty; stateless and thread-safe.
 */
public final class ClientAddress {
    private ClientAddress() {}

    /** An IPv4/IPv6 literal (optionally bracketed), or null; never a DNS lookup. */
    public static InetAddress parseIpLiteral(String s) {
        String t = s;
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.isEmpty() || t.length() > 45) {
            return null;
        }
        boolean v6 = t.indexOf(':') >= 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            boolean ok = v6 ? Character.digit(c, 16) >= 0 || c == ':' || c == '.' : (c >= '0' && c <= '9') || c == '.';
            if (!ok) {
                return null;
            }
        }
        if (!v6 && t.chars().filter(c -> c == '.').count() != 3) {
            return null;
        }
        try {
            return InetAddress.getByName(t.toLowerCase(Locale.ROOT));
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Whether {@code a} is in one of the {@code trusted} networks (the configured trusted proxies). */
    public static boolean isTrusted(InetAddress a, List<Cidr> trusted) {
        for (Cidr c : trusted) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client behind trusted proxies: the right-most X-Forwarded-For entry that is not itself a trusted proxy
     * (entries further left can be forged by the client), from the header's field values. Falls back to {@code peer} on absent or malformed input.
     */
    static InetAddress clientFromForwardedFor(List<String> values, InetAddress peer, List<Cidr> trusted) {
        if (values.isEmpty()) {
            return peer;
        }
        String joined = String.join(",", values);
        // Limit -1 keeps trailing empty elements: "a, " is as malformed as "a, , b" and must not yield a.
        String[] parts = joined.split(",", -1);
        for (int i = parts.length - 1; i >= 0; i--) {
            InetAddress a = parseIpLiteral(parts[i].trim());
            if (a == null) {
                return peer;
            }
            if (!isTrusted(a, trusted)) {
                return a;
            }
        }
        return peer;
    }
}
