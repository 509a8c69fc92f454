package coop.bulwark.challenge;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The puzzle: find a nonce, written in decimal, such that {@code SHA-256(token ‖ nonce)} (both as ASCII) starts with
 * {@code difficulty} zero bits. Expected work is {@code 2^difficulty} hashes for the client, one for the edge. The page's
 * script ({@code challenge.js}) and {@link #solve} search the same way; {@link #check} verifies.
 *
 * <p>Thread-safe (a digest per thread).
 */
public final class ProofOfWork {
    /** Longest nonce accepted: 16 digits stay below 2^53, exact in a JavaScript number. */
    public static final int MAX_NONCE_DIGITS = 16;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(ProofOfWork::sha256);

    private ProofOfWork() {}

    /** Whether {@code nonce} (decimal digits, no sign or leading zero) solves {@code token} at {@code difficulty}. */
    public static boolean check(String token, String nonce, int difficulty) {
        if (nonce == null || nonce.isEmpty() || nonce.length() > MAX_NONCE_DIGITS) {
            return false;
        }
        for (int i = 0; i < nonce.length(); i++) {
            char c = nonce.charAt(i);
            if (c < '0' || c > '9' || (c == '0' && i == 0 && nonce.length() > 1)) {
                return false;
            }
        }
        MessageDigest d = SHA256.get();
        d.update(token.getBytes(StandardCharsets.US_ASCII));
        d.update(nonce.getBytes(StandardCharsets.US_ASCII));
        return leadingZeroBits(d.digest()) >= difficulty;
    }

    /** The number of leading zero bits of {@code hash}. */
    public static int leadingZeroBits(byte[] hash) {
        int bits = 0;
        for (byte b : hash) {
            if (b == 0) {
                bits += 8;
                continue;
            }
            return bits + Integer.numberOfLeadingZeros(b & 0xFF) - 24;
        }
        return bits;
    }

    /**
     * Solves the puzzle the way the page's script does (nonces 0, 1, 2, ...): the answer for clients written in Java
     * (the lab's simulated browsers, tests).
     */
    public static long solve(String token, int difficulty) {
        MessageDigest base = sha256();
        base.update(token.getBytes(StandardCharsets.US_ASCII));
        byte[] digits = new byte[20];
        byte[] hash = new byte[32];
        for (long nonce = 0; ; nonce++) {
            int len = 0;
            long v = nonce;
            do {
                digits[19 - len++] = (byte) ('0' + v % 10);
                v /= 10;
            } while (v > 0);
            try {
                MessageDigest d = (MessageDigest) base.clone();
                d.update(digits, 20 - len, len);
                d.digest(hash, 0, 32);
            } catch (CloneNotSupportedException | DigestException e) {
                throw new IllegalStateException(e);
            }
            if (leadingZeroBits(hash) >= difficulty) {
                return nonce;
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
