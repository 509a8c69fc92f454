package coop.bulwark.origin;

import io.netty.util.AsciiString;

/**
 * Field names an HTTP/1.1 peer sends on every message, as shared constants, so that decoding a head does not copy each
 * one into a new name: {@link #REQUEST} for the edge's request decoder (Netty's shares only {@code Host},
 * {@code Accept}, {@code Connection} and the two {@code Content-} names; a browser's page request has seven more),
 * {@link #RESPONSE} for the origin connection's response decoder (Netty's shares none; nginx's answer has eight). A
 * name is shared only when its bytes are exactly the constant's, so each name is passed on as the peer spelled it.
 * Immutable.
 */
public final class FieldNames {
    /** As browsers spell them (Chromium, Firefox, Safari over HTTP/1.1). */
    public static final FieldNames REQUEST = new FieldNames(
            "User-Agent",
            "Accept-Encoding",
            "Accept-Language",
            "Cookie",
            "Referer",
            "Origin",
            "Cache-Control",
            "Pragma",
            "If-None-Match",
            "If-Modified-Since",
            "Upgrade-Insecure-Requests",
            "Sec-Fetch-Site",
            "Sec-Fetch-Mode",
            "Sec-Fetch-Dest",
            "Sec-Fetch-User",
            "Sec-CH-UA",
            "Sec-CH-UA-Mobile",
            "Sec-CH-UA-Platform",
            "Priority",
            "DNT",
            "X-Requested-With");

    /** As nginx, Apache and common application servers spell them. */
    public static final FieldNames RESPONSE = new FieldNames(
            "Server",
            "Date",
            "Content-Type",
            "Content-Length",
            "Last-Modified",
            "Connection",
            "Keep-Alive",
            "ETag",
            "Accept-Ranges",
            "Cache-Control",
            "Expires",
            "Vary",
            "Set-Cookie",
            "Location",
            "Transfer-Encoding",
            "Content-Encoding",
            "X-Powered-By",
            "X-Frame-Options",
            "X-Content-Type-Options",
            "Strict-Transport-Security",
            "Content-Security-Policy",
            "Referrer-Policy",
            "Link",
            "Age");

    /** The names by length, for a lookup that compares few candidates. */
    private final AsciiString[][] byLength;

    private FieldNames(String... names) {
        int longest = 0;
        for (String n : names) {
            longest = Math.max(longest, n.length());
        }
        byLength = new AsciiString[longest + 1][];
        for (int len = 0; len <= longest; len++) {
            int count = 0;
            for (String n : names) {
                count += n.length() == len ? 1 : 0;
            }
            byLength[len] = new AsciiString[count];
            int j = 0;
            for (String n : names) {
                if (n.length() == len) {
                    byLength[len][j++] = AsciiString.cached(n);
                }
            }
        }
    }

    /** The shared name whose bytes are exactly {@code bytes[start, start + length)}, or null. */
    public AsciiString lookup(byte[] bytes, int start, int length) {
        if (length >= byLength.length) {
            return null;
        }
        for (AsciiString name : byLength[length]) {
            byte[] own = name.array(); // cached constants: offset 0, exactly their length
            int i = 0;
            while (i < length && own[i] == bytes[start + i]) {
                i++;
            }
            if (i == length) {
                return name;
            }
        }
        return null;
    }
}
