package coop.bulwark.proxy;

import coop.bulwark.site.HostRouter;
import java.net.InetAddress;
import java.util.List;

/**
 * Decides whether a request head may go to an origin and which site it belongs to: request-target form, Host
 * (RFC 9112 §3.2), SNI agreement, URI and declared body size, and the client address behind trusted proxies.
 *
 * <p>This is what keeps the edge from being an open proxy: a request is only ever routed to a configured site's
 * origins, whatever its target says. The first step of the {@link DecisionChain}; no Netty. Stateless and
 * thread-safe.
 */
final class RequestAdmission {
    private RequestAdmission() {}

    static Admission admit(RequestHead req, EdgeSnapshot snap, ClientInfo info) {
        String method = req.method();
        if (method.equals("CONNECT")) {
            return refused(405, "CONNECT is not supported", true);
        }
        if (req.majorVersion() != 1 || req.minorVersion() > 1) {
            // "GET / HTTP/2.0" on an HTTP/1 connection, or any unknown version: we would not know how to frame it.
            return refused(505, "HTTP version not supported", true);
        }
        String uri = req.uri();
        if (!visibleAscii(uri)) {
            return refused(400, "malformed request target", true);
        }
        String originUri;
        String authority;
        if (uri.startsWith("/")) {
            originUri = uri;
            List<String> hosts = req.getAll("host");
            if (hosts.size() != 1) {
                return refused(400, "exactly one Host header is required", true);
            }
            authority = hosts.get(0);
        } else if (uri.equals("*") && method.equals("OPTIONS")) {
            originUri = uri;
            List<String> hosts = req.getAll("host");
            if (hosts.size() != 1) {
                return refused(400, "exactly one Host header is required", true);
            }
            authority = hosts.get(0);
        } else {
            int schemeEnd = absoluteSchemeEnd(uri);
            if (schemeEnd < 0) {
                return refused(400, "malformed request target", true);
            }
            // RFC 9112 §3.2.2: with an absolute-form target the Host header is ignored; the target's authority
            // still has to name one of our sites, so this never reaches anything outside the config.
            int pathStart = schemeEnd;
            while (pathStart < uri.length() && "/?#".indexOf(uri.charAt(pathStart)) < 0) {
                pathStart++;
            }
            authority = uri.substring(schemeEnd, pathStart);
            String rest = uri.substring(pathStart);
            originUri = rest.isEmpty() || rest.charAt(0) != '/' ? "/" + rest : rest;
        }
        if (!validAuthority(authority)) {
            return refused(400, "malformed Host", true);
        }
        HostRouter<Site> router = snap.router();
        Site site = router.lookup(authority);
        if (site == null) {
            return refused(421, "no site is served here under this name", true);
        }
        if (info.sni() != null && router.lookup(info.sni()) != site) {
            // The TLS name and the Host belong to different sites: the client must open a connection for that name.
            return refused(421, "this connection is for another site", false);
        }
        var limits = site.config().limits();
        if (originUri.length() > limits.maxUriBytes()) {
            return refused(414, "request target too long", true);
        }
        // Every field line counts (RFC 9110 §5.3): checking only the first would let a second one disagree with it.
        List<String> te = req.getAll("transfer-encoding");
        if (!te.isEmpty() && !String.join(",", te).trim().equalsIgnoreCase("chunked")) {
            return refused(501, "unsupported transfer coding", true);
        }
        List<String> cl = req.getAll("content-length");
        if (!cl.isEmpty()) {
            long len = contentLength(cl);
            if (len < 0) {
                return refused(400, "malformed Content-Length", true);
            }
            if (len > limits.maxBodyBytes()) {
                return refused(413, "request body too large", true);
            }
        }
        InetAddress client = info.trustedPeer()
                ? ClientAddress.clientFromForwardedFor(
                        req.getAll("x-forwarded-for"),
                        info.client(),
                        snap.config().trustedProxies())
                : info.client();
        return new Admission.Admitted(site, authority, originUri, client);
    }

    private static Admission refused(int status, String reason, boolean close) {
        return new Admission.Refused(status, reason, close);
    }

    /** RFC 9112 §3.2: a request target is visible US-ASCII; controls, spaces, NUL or raw UTF-8 are refused. */
    static boolean visibleAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * The declared body length, or -1 when it is malformed: RFC 9110 §8.6 allows only {@code 1*DIGIT}, and a list of
     * identical values (repeated lines, or {@code 5, 5}); differing values make the framing unknowable. (Long.parseLong
     * alone would also take {@code +5}.) Lengths beyond a long are clamped: they are over any limit anyway.
     */
    static long contentLength(List<String> values) {
        long len = -1;
        for (String v : values) {
            for (String part : v.split(",", -1)) {
                String t = part.trim();
                if (t.isEmpty()) {
                    return -1;
                }
                long n = 0;
                for (int i = 0; i < t.length(); i++) {
                    char c = t.charAt(i);
                    if (c < '0' || c > '9') {
                        return -1;
                    }
                    n = n > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : n * 10 + (c - '0');
                }
                if (len >= 0 && n != len) {
                    return -1;
                }
                len = n;
            }
        }
        return len;
    }

    /** Index just past {@code http://} or {@code https://} (any case), or -1. */
    private static int absoluteSchemeEnd(String uri) {
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            return 7;
        }
        if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            return 8;
        }
        return -1;
    }

    /** Host names, IPv4, bracketed IPv6, optional port; no user-info, no spaces, nothing to smuggle. */
    static boolean validAuthority(String a) {
        if (a.isEmpty() || a.length() > 255) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '-'
                    || c == '_'
                    || c == ':'
                    || c == '['
                    || c == ']';
            if (!ok) {
                return false;
            }
        }
        // A port, if any, is 1 to 5 digits: "host:99999x" or "host:" are not authorities.
        int colon = a.lastIndexOf(':');
        if (colon >= 0 && a.indexOf(']') < colon) {
            int digits = a.length() - colon - 1;
            if (digits < 1 || digits > 5) {
                return false;
            }
            for (int i = colon + 1; i < a.length(); i++) {
                if (a.charAt(i) < '0' || a.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(a, colon + 1, a.length(), 10) > 65535) {
                return false;
            }
            if (a.indexOf(':') != colon && !a.startsWith("[")) {
                return false; // bare IPv6 with a port is ambiguous
            }
        }
        return true;
    }
}
