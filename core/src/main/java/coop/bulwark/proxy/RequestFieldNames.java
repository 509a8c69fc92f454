package coop.bulwark.proxy;

import io.netty.util.AsciiString;

/**
 * The request field names browsers send on every request, as shared constants, so that decoding a request head does
 * not copy each one into a new name (Netty's decoder shares only {@code Host}, {@code Accept}, {@code Connection} and
 * the two {@code Content-} names; a browser's page request has seven more). A name is shared only when its bytes are
 * exactly the constant's, so the origin receives each name as the client spelled it. Stateless.
 */
final class RequestFieldNames {
    private RequestFieldNames() {}

    /** As browsers spell them (Chromium, Firefox, Safari over HTTP/1.1). */
    private static final AsciiString[] KNOWN = {
        AsciiString.cached("User-Agent"),
        AsciiString.cached("Accept-Encoding"),
        AsciiString.cached("Accept-Language"),
        AsciiString.cached("Cookie"),
        AsciiString.cached("Referer"),
        AsciiString.cached("Origin"),
        AsciiString.cached("Cache-Control"),
        AsciiString.cached("Pragma"),
        AsciiString.cached("If-None-Match"),
        AsciiString.cached("If-Modified-Since"),
        AsciiString.cached("Upgrade-Insecure-Requests"),
        AsciiString.cached("Sec-Fetch-Site"),
        AsciiString.cached("Sec-Fetch-Mode"),
        AsciiString.cached("Sec-Fetch-Dest"),
        AsciiString.cached("Sec-Fetch-User"),
        AsciiString.cached("Sec-CH-UA"),
        AsciiString.cached("Sec-CH-UA-Mobile"),
        AsciiString.cached("Sec-CH-UA-Platform"),
        AsciiString.cached("Priority"),
        AsciiString.cached("DNT"),
        AsciiString.cached("X-Requested-With"),
    };

    /** {@link #KNOWN} by length, for a lookup that compares few candidates. */
    private static final AsciiString[][] BY_LENGTH = byLength();

    /** The shared name whose bytes are exactly {@code bytes[start, start + length)}, or null. */
    static AsciiString lookup(byte[] bytes, int start, int length) {
        if (length >= BY_LENGTH.length) {
            return null;
        }
        for (AsciiString name : BY_LENGTH[length]) {
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

    private static AsciiString[][] byLength() {
        int longest = 0;
        for (AsciiString n : KNOWN) {
            longest = Math.max(longest, n.length());
        }
        AsciiString[][] table = new AsciiString[longest + 1][];
        for (int len = 0; len <= longest; len++) {
            int count = 0;
            for (AsciiString n : KNOWN) {
                count += n.length() == len ? 1 : 0;
            }
            table[len] = new AsciiString[count];
            int j = 0;
            for (AsciiString n : KNOWN) {
                if (n.length() == len) {
                    table[len][j++] = n;
                }
            }
        }
        return table;
    }
}
