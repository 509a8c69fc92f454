package coop.bulwark.cache;

/**
 * Size limits of a {@link MicroCache}.
 *
 * @param maxBytes the bound on the total weight (body + fields + bookkeeping) of all entries
 * @param maxObjectBytes the largest body stored; larger responses stream through uncached
 * @param maxVariantsPerKey how many {@code Vary} variants one key keeps; the oldest goes first, so a client cycling
 *     through {@code User-Agent} values cannot grow one key without bound
 */
public record CacheLimits(long maxBytes, int maxObjectBytes, int maxVariantsPerKey) {
    public CacheLimits {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("max_bytes: " + maxBytes + " (expected: > 0)");
        }
        if (maxObjectBytes < 0 || maxObjectBytes > maxBytes) {
            throw new IllegalArgumentException(
                    "max_object_bytes: " + maxObjectBytes + " (expected: 0.." + maxBytes + ")");
        }
        if (maxVariantsPerKey < 1 || maxVariantsPerKey > 64) {
            throw new IllegalArgumentException("max_variants_per_key: " + maxVariantsPerKey + " (expected: 1..64)");
        }
    }
}
