package coop.bulwark.challenge;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One HMAC-SHA256 key of the {@link KeyRing}: a one-byte id carried in every token and cookie it signs, its creation
 * time (rotation is due one period later), and 256 secret bits.
 *
 * <p>Thread-safe: each thread gets its own initialised {@link Mac} (a {@code Mac} is not thread-safe, and {@code init}
 * costs more than the HMAC of a cookie, so it is done once per thread and key).
 */
final class SigningKey {
    static final int SECRET_BYTES = 32;
    static final String ALGORITHM = "HmacSHA256";

    final int id;
    final long createdEpochSecond;
    private final byte[] secret;
    private final ThreadLocal<Mac> macs;

    SigningKey(int id, long createdEpochSecond, byte[] secret) {
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException("key id: " + id + " (expected: 0-255)");
        }
        if (secret.length != SECRET_BYTES) {
            throw new IllegalArgumentException("key: " + secret.length + " bytes (expected: " + SECRET_BYTES + ")");
        }
        this.id = id;
        this.createdEpochSecond = createdEpochSecond;
        this.secret = secret.clone();
        SecretKeySpec spec = new SecretKeySpec(this.secret, ALGORITHM);
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance(ALGORITHM);
                m.init(spec);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        });
    }

    /** This thread's MAC for the key, reset and ready. */
    Mac mac() {
        return macs.get();
    }

    /** A copy of the secret (for the key file). */
    byte[] secret() {
        return secret.clone();
    }

    boolean sameSecret(SigningKey other) {
        return MessageDigest.isEqual(secret, other.secret);
    }

    @Override
    public String toString() {
        return "key " + id + " (created " + createdEpochSecond + ")"; // never the secret
    }
}
