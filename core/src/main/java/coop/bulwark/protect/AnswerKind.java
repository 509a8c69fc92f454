package coop.bulwark.protect;

/**
 * The kind of a request as the origin's work goes: one site's one path, the query left out (a cache-busting query asks
 * the same page of the same code). Answers of one kind take about the same time at no load, which is what
 * {@link AdaptiveLimit} compares each answer with. A 64-bit hash, so a request's kind costs no allocation; two kinds
 * that collide share one no-load time, the lesser, which errs towards reading a wait.
 */
public final class AnswerKind {
    /** The kind of a request that tells nothing of its own cost (a probe, a test): judged by the origin's base alone. */
    public static final long UNKNOWN = 0;

    private static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private AnswerKind() {}

    /** The kind of a request to {@code site} for {@code target} (origin-form: the path and any query). */
    public static long of(String site, CharSequence target) {
        long h = OFFSET;
        for (int i = 0; i < site.length(); i++) {
            h = (h ^ site.charAt(i)) * PRIME;
        }
        h = (h ^ ' ') * PRIME;
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '?' || c == '#') {
                break;
            }
            h = (h ^ c) * PRIME;
        }
        // Finalizer (as SplitMix64's): FNV's low bits mix poorly, and the table indexes by them.
        h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == UNKNOWN ? 1 : h;
    }
}
