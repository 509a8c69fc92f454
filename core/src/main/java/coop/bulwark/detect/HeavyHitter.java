package coop.bulwark.detect;

/**
 * One entry of a {@link SpaceSaving} summary: a key (a source prefix key, a path hash, a user-agent hash) and its
 * estimated count. The true count lies in {@code [count - error, count]}.
 *
 * @param key the key as recorded
 * @param count the estimated count, never below the true count
 * @param error the most by which {@code count} may exceed the true count
 */
public record HeavyHitter(long key, long count, long error) {
    public HeavyHitter {
        if (count < 0 || error < 0 || error > count) {
            throw new IllegalArgumentException(
                    "count/error: " + count + "/" + error + " (expected: 0 <= error <= count)");
        }
    }

    /** The count this key is guaranteed to have reached: {@code count - error}. */
    public long guaranteed() {
        return count - error;
    }
}
