package coop.bulwark.protect;

/**
 * The kind of a request as the origin's work goes: one site's one route, told by the shape of the path, not the path
 * itself. Answers of one kind take about the same time at no load, which is what {@link AdaptiveLimit} compares each
 * answer with. A 64-bit hash, so a request's kind costs no allocation; two kinds that collide share one no-load time,
 * the lesser, which errs towards reading a wait.
 *
 * <p>The shape: the path's first segment with each run of digits as one {@code #}, how many segments follow it, and
 * the last segment's extension; the query and fragment are left out (a cache-busting query asks the same page of the
 * same code). So {@code /post/23} and {@code /post/7} are one kind (one template, one query), as are
 * {@code /2024/05/a-title/} and {@code /2023/11/another/}, while {@code /post/23/comments}, {@code /assets/app.js} and
 * {@code /assets/style.css} are each their own. By the exact path, a site's articles and products were almost all
 * kinds seen once (bench/flood-cost.sh: 3,480 kinds among 4,022 answers at the origin), and no kind was ever known.
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
        int end = 0;
        while (end < target.length() && target.charAt(end) != '?' && target.charAt(end) != '#') {
            end++;
        }
        int i = 0;
        while (i < end && target.charAt(i) == '/') {
            i++;
        }
        // The first segment, digits collapsed.
        boolean inDigits = false;
        for (; i < end && target.charAt(i) != '/'; i++) {
            char c = target.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            if (!digit || !inDigits) {
                h = (h ^ (digit ? '#' : c)) * PRIME;
            }
            inDigits = digit;
        }
        // How many segments follow (a trailing slash adds none), and where the last one's extension starts.
        int segments = 0;
        int extension = -1;
        for (; i < end; i++) {
            char c = target.charAt(i);
            if (c == '/') {
                extension = -1;
                if (i + 1 < end && target.charAt(i + 1) != '/') {
                    segments++;
                }
            } else if (c == '.') {
                extension = i;
            }
        }
        h = (h ^ ('/' + segments)) * PRIME;
        if (extension >= 0) {
            for (int e = extension; e < end; e++) {
                h = (h ^ Character.toLowerCase(target.charAt(e))) * PRIME;
            }
        }
        // Finalizer (as SplitMix64's): FNV's low bits mix poorly, and the table indexes by them.
        h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == UNKNOWN ? 1 : h;
    }
}
