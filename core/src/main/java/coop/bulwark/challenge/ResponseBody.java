package coop.bulwark.challenge;

import java.nio.charset.StandardCharsets;

/**
 * A body the challenge answers with, as UTF-8 byte parts that are copied once, straight into the response's buffer.
 * The challenge page is mostly parts prepared at load (its markup, script and translated text, shared by every
 * response and never written to) with the request's own few values between them, so a page costs a bot's request a
 * few hundred bytes of new data instead of rendering and encoding the whole page.
 *
 * <p>Immutable: the shared parts are never modified, and nobody outside this package gets the array.
 */
public final class ResponseBody {
    public static final ResponseBody EMPTY = new ResponseBody(new byte[0][], 0);

    private final byte[][] parts;
    private final int length;

    ResponseBody(byte[][] parts, int length) {
        this.parts = parts;
        this.length = length;
    }

    /** A body of one text. */
    public static ResponseBody of(String text) {
        if (text.isEmpty()) {
            return EMPTY;
        }
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new ResponseBody(new byte[][] {b}, b.length);
    }

    /** Its size in bytes. */
    public int length() {
        return length;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /** How many parts it has (for {@link #part}). */
    public int parts() {
        return parts.length;
    }

    /** Part {@code i}; the caller only reads it. */
    public byte[] part(int i) {
        return parts[i];
    }

    /** The whole body as text (tests, logs; never on the request path). */
    public String text() {
        StringBuilder b = new StringBuilder(length);
        for (byte[] p : parts) {
            b.append(new String(p, StandardCharsets.UTF_8));
        }
        return b.toString();
    }
}
