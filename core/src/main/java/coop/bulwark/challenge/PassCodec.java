package coop.bulwark.challenge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * Signs and verifies the challenge's two stateless artefacts, both bound to a site and a client prefix (the /24 of an
 * IPv4 address, the /48 of an IPv6 one) by an HMAC-SHA256 of the {@link ChallengeKeys}:
 *
 * <ul>
 *   <li>a <b>token</b> handed out with the challenge page: {@code (kind, difficulty, issue time, 128 random bits)},
 *       so the edge keeps no per-challenge state and any token it did not sign, or signed for another site or
 *       network, is refused;
 *   <li>a <b>cookie</b> ({@value #COOKIE_NAME}) earned by a good answer: {@code (kind, difficulty, expiry)};
 *   <li>the <b>seen cookie</b> ({@value #SEEN_COOKIE_NAME}), the same format with kind {@link Kind#SEEN}, given on pages
 *       in normal times: it says only that this browser visited the site before, never that it passed a challenge.
 * </ul>
 *
 * <p>The site and prefix are not carried, only signed: they come from the request being verified, so a cookie moved
 * to another site or network fails its MAC. MACs are compared with {@link MessageDigest#isEqual} (constant time).
 *
 * <p>Thread-safe; {@link #verifyCookie} allocates nothing (per-thread scratch buffers and MACs).
 */
/*
 * Wire formats (then base64url without padding). Cookie, 44 bytes -> 59 characters:
 *   0 version (1) | 1 key id | 2 kind | 3 difficulty | 4-11 expiry, epoch seconds, big-endian | 12-43 MAC
 * The expiry's top 24 bits (4-6) are random in cookies minted since issue 16, read as zero: two cookies given in the
 * same second to one network (people behind one NAT) then differ, so limits keyed on a cookie tell them apart.
 * Cookies from before carry zeros there and stay valid.
 * Token, 60 bytes -> 80 characters:
 *   0 version (1) | 1 key id | 2 kind | 3 difficulty | 4-11 issued, epoch seconds | 12-27 random | 28-59 MAC
 * MAC = HMAC-SHA256(key, label | bytes before the MAC | site name length (2) | site name | family (4 or 6) | prefix),
 * with distinct labels for tokens and cookies so one can never be passed off as the other.
 */
public final class PassCodec {
    /** The cookie's name. */
    public static final String COOKIE_NAME = "bulwark_pass";

    /** The seen cookie's name. */
    public static final String SEEN_COOKIE_NAME = "bulwark_seen";

    /** What was proven. */
    public enum Kind {
        /** A proof of work (JavaScript). */
        WORK,
        /** The no-JavaScript fallback: the browser waited. Weaker: shorter-lived cookie, tighter limits. */
        WAIT,
        /** A visit in normal times ({@value #SEEN_COOKIE_NAME}): the people's lane, never a pass. */
        SEEN
    }

    /** The outcome of a cookie or token check; {@code VALID} or why not. */
    public enum Status {
        VALID,
        MALFORMED,
        UNKNOWN_KEY,
        FORGED,
        EXPIRED,
        /** Issued in the future (beyond the allowed clock skew): forged or a broken clock. */
        NOT_YET_VALID
    }

    /** A verified (or refused) token: its fields are meaningful only when {@code status} is {@code VALID}. */
    public record Token(Status status, Kind kind, int difficulty, long issuedEpochSecond) {
        static Token refused(Status s) {
            return new Token(s, Kind.WORK, 0, 0);
        }

        public boolean valid() {
            return status == Status.VALID;
        }
    }

    static final int VERSION = 1;
    /** Bits of a cookie's expiry field that hold the time; the 24 above them are a random salt. */
    static final int EXPIRY_BITS = 40;

    static final long EXPIRY_MASK = (1L << EXPIRY_BITS) - 1;
    static final int MAC_BYTES = 32;
    static final int COOKIE_BYTES = 12 + MAC_BYTES;
    public static final int COOKIE_CHARS = 59;
    static final int TOKEN_BYTES = 28 + MAC_BYTES;
    public static final int TOKEN_CHARS = 80;
    /** Tokens issued up to this far in the future are accepted (edges in a cluster with slightly skewed clocks). */
    static final long SKEW_SECONDS = 60;

    /** Cookie check results below zero (see {@link #verifyCookie}). */
    public static final int COOKIE_ABSENT = -1;

    public static final int COOKIE_MALFORMED = -2;
    public static final int COOKIE_UNKNOWN_KEY = -3;
    public static final int COOKIE_FORGED = -4;
    public static final int COOKIE_EXPIRED = -5;

    private static final byte[] TOKEN_LABEL = "bulwark-token-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COOKIE_LABEL = "bulwark-cookie-v1".getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final byte[] DECODE = new byte[128];

    static {
        Arrays.fill(DECODE, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            DECODE[alphabet.charAt(i)] = (byte) i;
        }
    }

    /** Per-thread buffers: the decoded bytes, the computed MAC and the given MAC. */
    private static final class Scratch {
        final byte[] raw = new byte[TOKEN_BYTES];
        final byte[] computed = new byte[MAC_BYTES];
        final byte[] given = new byte[MAC_BYTES];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final ChallengeKeys keys;
    private final SecureRandom random = new SecureRandom();

    public PassCodec(ChallengeKeys keys) {
        this.keys = keys;
    }

    /** A new token for a challenge of {@code kind} at {@code difficulty} bits, for this site and client. */
    public String token(Kind kind, String site, byte[] addr, int difficulty, long nowEpochSecond) {
        SigningKey k = keys.ring().current();
        byte[] b = new byte[TOKEN_BYTES];
        head(b, k.id, kind, difficulty, nowEpochSecond);
        byte[] r = new byte[16];
        random.nextBytes(r);
        System.arraycopy(r, 0, b, 12, 16);
        sign(k.mac(), TOKEN_LABEL, b, 28, site, addr, b, 28);
        return ENCODER.encodeToString(b);
    }

    /**
     * Checks a token handed back by a client of {@code site} from {@code addr}: signature (current or previous key),
     * then age at most {@code lifetimeSeconds}.
     */
    public Token verifyToken(CharSequence token, String site, byte[] addr, long nowEpochSecond, long lifetimeSeconds) {
        if (token == null || token.length() != TOKEN_CHARS) {
            return Token.refused(Status.MALFORMED);
        }
        Scratch s = SCRATCH.get();
        if (!decode(token, 0, TOKEN_CHARS, s.raw, TOKEN_BYTES) || s.raw[0] != VERSION) {
            return Token.refused(Status.MALFORMED);
        }
        int kindByte = s.raw[2];
        if (kindByte < 0 || kindByte >= Kind.values().length) {
            return Token.refused(Status.MALFORMED);
        }
        SigningKey k = keys.ring().byId(s.raw[1] & 0xFF);
        if (k == null) {
            return Token.refused(Status.UNKNOWN_KEY);
        }
        sign(k.mac(), TOKEN_LABEL, s.raw, 28, site, addr, s.computed, 0);
        System.arraycopy(s.raw, 28, s.given, 0, MAC_BYTES);
        if (!MessageDigest.isEqual(s.computed, s.given)) {
            return Token.refused(Status.FORGED);
        }
        long issued = readLong(s.raw, 4);
        if (issued > nowEpochSecond + SKEW_SECONDS) {
            return Token.refused(Status.NOT_YET_VALID);
        }
        if (nowEpochSecond - issued > lifetimeSeconds) {
            return Token.refused(Status.EXPIRED);
        }
        return new Token(Status.VALID, Kind.values()[kindByte], s.raw[3] & 0xFF, issued);
    }

    /** The value of a cookie for this site and client, valid until {@code expiryEpochSecond}. */
    public String cookie(Kind kind, String site, byte[] addr, int difficulty, long expiryEpochSecond) {
        SigningKey k = keys.ring().current();
        byte[] b = new byte[COOKIE_BYTES];
        long salt = (long) ThreadLocalRandom.current().nextInt(1 << 24) << EXPIRY_BITS;
        head(b, k.id, kind, difficulty, expiryEpochSecond | salt);
        sign(k.mac(), COOKIE_LABEL, b, 12, site, addr, b, 12);
        return ENCODER.encodeToString(b);
    }

    /**
     * Finds {@value #COOKIE_NAME} in a {@code Cookie} header value and verifies it for {@code site} and {@code addr}.
     * Allocation-free.
     *
     * @return {@link #COOKIE_ABSENT} when the header has no such cookie; another negative {@code COOKIE_*} when it is
     *     not valid (malformed, unknown key, forged, expired; the last failure when several are sent); when valid,
     *     {@code kind.ordinal() << 8 | difficulty} (see {@link #cookieKind} and {@link #cookieDifficulty})
     */
    public int verifyCookieHeader(CharSequence header, String site, byte[] addr, long nowEpochSecond) {
        return verifyCookieHeader(header, COOKIE_NAME, site, addr, nowEpochSecond);
    }

    /**
     * Finds a valid {@value #SEEN_COOKIE_NAME} of kind {@link Kind#SEEN} in a {@code Cookie} header value for
     * {@code site} and {@code addr}. Allocation-free.
     *
     * @return the cookie's identity when valid (63 bits of its MAC, >= 0: the key of its per-cookie limit); else a
     *     negative {@code COOKIE_*} (a cookie of another kind under this name is {@link #COOKIE_FORGED})
     */
    public long verifySeenHeader(CharSequence header, String site, byte[] addr, long nowEpochSecond) {
        int r = verifyCookieHeader(header, SEEN_COOKIE_NAME, site, addr, nowEpochSecond);
        if (r < 0) {
            return r;
        }
        if (cookieKind(r) != Kind.SEEN) {
            return COOKIE_FORGED;
        }
        // The scratch still holds the MAC just verified (same thread, no call in between).
        return readLong(SCRATCH.get().given, 0) & Long.MAX_VALUE;
    }

    private int verifyCookieHeader(
            CharSequence header, String cookieName, String site, byte[] addr, long nowEpochSecond) {
        if (header == null) {
            return COOKIE_ABSENT;
        }
        int result = COOKIE_ABSENT;
        int n = header.length();
        int name = cookieName.length();
        for (int i = 0; i + name < n; i++) {
            if ((i == 0 || header.charAt(i - 1) == ';' || header.charAt(i - 1) == ' ')
                    && header.charAt(i + name) == '='
                    && regionMatches(header, i, cookieName)) {
                int from = i + name + 1;
                int to = from;
                while (to < n && header.charAt(to) != ';') {
                    to++;
                }
                int end = to;
                while (end > from && header.charAt(end - 1) == ' ') {
                    end--;
                }
                result = verifyCookie(header, from, end, site, addr, nowEpochSecond);
                if (result >= 0) {
                    return result;
                }
                i = to;
            }
        }
        return result;
    }

    /** Verifies one cookie value, {@code value[from, to)}; results as for {@link #verifyCookieHeader}. */
    public int verifyCookie(CharSequence value, int from, int to, String site, byte[] addr, long nowEpochSecond) {
        if (to - from != COOKIE_CHARS) {
            return COOKIE_MALFORMED;
        }
        Scratch s = SCRATCH.get();
        if (!decode(value, from, to, s.raw, COOKIE_BYTES) || s.raw[0] != VERSION) {
            return COOKIE_MALFORMED;
        }
        int kind = s.raw[2];
        if (kind < 0 || kind >= Kind.values().length) {
            return COOKIE_MALFORMED;
        }
        SigningKey k = keys.ring().byId(s.raw[1] & 0xFF);
        if (k == null) {
            return COOKIE_UNKNOWN_KEY;
        }
        sign(k.mac(), COOKIE_LABEL, s.raw, 12, site, addr, s.computed, 0);
        System.arraycopy(s.raw, 12, s.given, 0, MAC_BYTES);
        if (!MessageDigest.isEqual(s.computed, s.given)) {
            return COOKIE_FORGED;
        }
        if ((readLong(s.raw, 4) & EXPIRY_MASK) <= nowEpochSecond) {
            return COOKIE_EXPIRED;
        }
        return kind << 8 | (s.raw[3] & 0xFF);
    }

    /**
     * The identity of the first {@code name} cookie in a {@code Cookie} header value: 63 bits of a hash of its value,
     * to key limits on a cookie already verified. -1 when there is none. Allocation-free.
     */
    public static long identity(CharSequence header, String name) {
        if (header == null) {
            return -1;
        }
        int n = header.length();
        int len = name.length();
        for (int i = 0; i + len < n; i++) {
            if ((i == 0 || header.charAt(i - 1) == ';' || header.charAt(i - 1) == ' ')
                    && header.charAt(i + len) == '='
                    && regionMatches(header, i, name)) {
                long h = 0xCBF29CE484222325L; // FNV-1a, then a finaliser: the value is a MAC, already random
                for (int j = i + len + 1; j < n && header.charAt(j) != ';' && header.charAt(j) != ' '; j++) {
                    h = (h ^ header.charAt(j)) * 0x100000001B3L;
                }
                h ^= h >>> 33;
                h *= 0xFF51AFD7ED558CCDL;
                return (h ^ h >>> 33) & Long.MAX_VALUE;
            }
        }
        return -1;
    }

    /** The kind of a valid cookie result (>= 0). */
    public static Kind cookieKind(int result) {
        return Kind.values()[result >>> 8];
    }

    /** The difficulty of a valid cookie result (>= 0). */
    public static int cookieDifficulty(int result) {
        return result & 0xFF;
    }

    private static void head(byte[] b, int keyId, Kind kind, int difficulty, long time) {
        if (difficulty < 0 || difficulty > 255) {
            throw new IllegalArgumentException("difficulty: " + difficulty + " (expected: 0-255)");
        }
        b[0] = VERSION;
        b[1] = (byte) keyId;
        b[2] = (byte) kind.ordinal();
        b[3] = (byte) difficulty;
        for (int i = 0; i < 8; i++) {
            b[4 + i] = (byte) (time >>> (56 - 8 * i));
        }
    }

    /** HMAC of label, {@code data[0, len)}, site and prefix into {@code out[off, off + 32)}. */
    private static void sign(
            Mac mac, byte[] label, byte[] data, int len, String site, byte[] addr, byte[] out, int off) {
        mac.update(label);
        mac.update(data, 0, len);
        int n = site.length();
        mac.update((byte) (n >>> 8));
        mac.update((byte) n);
        for (int i = 0; i < n; i++) {
            char c = site.charAt(i);
            if (c >= 0x80) {
                mac.update((byte) (c >>> 8));
            }
            mac.update((byte) c);
        }
        ClientPrefix.update(mac, addr);
        try {
            mac.doFinal(out, off);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e); // out always has 32 bytes from off
        }
    }

    /** Strict base64url without padding: every character in the alphabet, unused trailing bits zero. */
    static boolean decode(CharSequence s, int from, int to, byte[] out, int outLen) {
        int bits = 0;
        int acc = 0;
        int o = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            int v = c < 128 ? DECODE[c] : -1;
            if (v < 0) {
                return false;
            }
            acc = acc << 6 | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                if (o == outLen) {
                    return false;
                }
                out[o++] = (byte) (acc >>> bits);
                acc &= (1 << bits) - 1;
            }
        }
        return o == outLen && acc == 0;
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }

    private static boolean regionMatches(CharSequence s, int at, String what) {
        for (int j = 0; j < what.length(); j++) {
            if (s.charAt(at + j) != what.charAt(j)) {
                return false;
            }
        }
        return true;
    }
}
