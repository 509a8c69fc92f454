package coop.bulwark.cluster;

import java.util.Arrays;
import java.util.Objects;

/**
 * A challenge signing key made for the whole cluster for one rotation period: the first node to propose a key for a
 * period wins, every node adopts the winner. The secret is secret: it travels and rests only in Redis, which must be
 * protected (docs/cluster.md).
 *
 * @param rotationSeconds the rotation period the key belongs to (nodes with another period never share it)
 * @param epoch the period's number: {@code floor(unix seconds / rotationSeconds)}
 * @param id the one-byte id cookies carry: {@code (2 * epoch) & 0xFF}, always even, so a key an edge makes alone while
 *     the store is away (the next id, odd) never shares its id with the cluster's next key and keeps verifying
 * @param createdEpochSecond when the period began, so each node's own rotation clock agrees with the cluster's
 * @param secret the key's 32 bytes
 */
public record SharedKey(long rotationSeconds, long epoch, int id, long createdEpochSecond, byte[] secret) {
    public static final int SECRET_BYTES = 32;

    public SharedKey {
        if (rotationSeconds < 1) {
            throw new IllegalArgumentException("rotationSeconds: " + rotationSeconds + " (expected: >= 1)");
        }
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException("id: " + id + " (expected: 0-255)");
        }
        Objects.requireNonNull(secret, "secret");
        if (secret.length != SECRET_BYTES) {
            throw new IllegalArgumentException("secret: " + secret.length + " bytes (expected: " + SECRET_BYTES + ")");
        }
        secret = secret.clone();
    }

    /** The key for period {@code epoch} of {@code rotationSeconds}, with its id and start time derived. */
    public static SharedKey of(long rotationSeconds, long epoch, byte[] secret) {
        return new SharedKey(rotationSeconds, epoch, (int) ((epoch * 2) & 0xFF), epoch * rotationSeconds, secret);
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SharedKey k
                && k.rotationSeconds == rotationSeconds
                && k.epoch == epoch
                && k.id == id
                && k.createdEpochSecond == createdEpochSecond
                && Arrays.equals(k.secret, secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rotationSeconds, epoch, id, createdEpochSecond, Arrays.hashCode(secret));
    }

    @Override
    public String toString() {
        return "shared key " + id + " (period " + epoch + " of " + rotationSeconds + " s)"; // never the secret
    }
}
