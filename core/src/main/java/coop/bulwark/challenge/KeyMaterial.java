package coop.bulwark.challenge;

import java.util.Arrays;
import java.util.Objects;

/**
 * A signing key as data, for keys made elsewhere (a cluster's key for a rotation period): the id cookies carry, when
 * its period began, and its 32 secret bytes. Compared by content; {@link #toString()} never shows the secret.
 */
public record KeyMaterial(int id, long createdEpochSecond, byte[] secret) {
    public KeyMaterial {
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException("key id: " + id + " (expected: 0-255)");
        }
        Objects.requireNonNull(secret, "secret");
        if (secret.length != SigningKey.SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "key: " + secret.length + " bytes (expected: " + SigningKey.SECRET_BYTES + ")");
        }
        secret = secret.clone();
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    SigningKey toKey() {
        return new SigningKey(id, createdEpochSecond, secret);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyMaterial k
                && k.id == id
                && k.createdEpochSecond == createdEpochSecond
                && Arrays.equals(k.secret, secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, createdEpochSecond, Arrays.hashCode(secret));
    }

    @Override
    public String toString() {
        return "key " + id + " (created " + createdEpochSecond + ")";
    }
}
