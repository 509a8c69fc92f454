package coop.bulwark.detect;

/**
 * The cheap per-request features {@link TrafficRecorder#record} takes, computed from the request line and one
 * header without allocating: method code, path hash and an estimate of how random the query string is.
 *
 * <p>Stateless and thread-safe.
 */
/*
 * Query randomness. A cache-busting flood appends a fresh random token to every request ("?_=1764063600123",
 * "?xkq=a8k2mz9q1w"); people's queries are words, page numbers, short ids and tracking tags. The estimate takes
 * the query's most random-looking token (a run of letters and digits) and prices it by what it is made of:
 *
 *   digits only                       3.3 bits a character (a timestamp of 13 digits: 43 bits)
 *   letters and digits interleaved    5.2 bits (a base-36 nonce), 6.0 when both cases appear (base 62)
 *   letters only, or letters then digits ("fall2026", "page2")
 *                                     2.0 bits a letter + 3.3 a digit (English text is about 1-2 bits a letter),
 *                                     but 4.7 a letter (log2 26) when six or more letters cannot be read aloud:
 *                                     fewer than a quarter of them vowels (y counted), or five consonants in a row
 *
 * Interleaved means the token switches between letters and digits at least twice, which random base-36 strings of
 * eight or more characters nearly always do and words with a year or a number on the end ("fall2026") never do. The bucket is
 * bits / 16, capped at 7; TrafficRecorder.HIGH_ENTROPY_BUCKET (2, i.e. 32 bits) marks a cache buster. Taking the
 * maximum rather than the sum keeps long campaign-tagged URLs ("utm_source=newsletter&utm_medium=email") low.
 * The unpronounceable test: one random base-36 value in ten has fewer than two switches ("kqhzvwpm", "bxtqrw42") and
 * read as a word, so a tenth of a busting flood went unflagged (and waited, before detection, with people's first
 * visits instead of behind them); words that fail it are rare in queries ("strengths", "twelfths") and short ones
 * ("rights": 28 bits) stay below the mark.
 * A flood with word-like random tokens evades this sign, not the others (rate, unvouched excess, failures).
 */
final class RequestSignature {
    private RequestSignature() {}

    /** The {@link TrafficRecorder} method code of a method name. */
    public static int methodCode(String method) {
        return switch (method) {
            case "GET" -> TrafficRecorder.METHOD_GET;
            case "HEAD" -> TrafficRecorder.METHOD_HEAD;
            case "POST" -> TrafficRecorder.METHOD_POST;
            default -> TrafficRecorder.METHOD_OTHER;
        };
    }

    /** A 64-bit hash of the request target's path (up to {@code ?} or {@code #}); 0 for an empty path. */
    public static long pathHash(CharSequence uri) {
        long h = 0;
        int n = uri.length();
        for (int i = 0; i < n; i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                break;
            }
            h = (h ^ c) * 0x100000001b3L; // FNV-1a step
        }
        return h == 0 ? 0 : TrafficRecorder.mix(h);
    }

    /**
     * A 64-bit hash of a header value (the User-Agent); 0 when absent. Built on {@link String#hashCode}, which the
     * JIT vectorises (a per-character loop over a 120-character User-Agent cost more than the rest of the record);
     * 32 bits are plenty for a top-8 summary.
     */
    public static long textHash(CharSequence text) {
        if (text == null) {
            return 0;
        }
        int h = text instanceof String s ? s.hashCode() : text.toString().hashCode();
        return TrafficRecorder.mix(((long) h << 32) ^ text.length()) | 1;
    }

    /** The query randomness bucket, 0 (no query) to 7, of a request target; see the class comment. */
    public static int queryEntropyBucket(CharSequence uri) {
        int n = uri.length();
        int q = -1;
        for (int i = 0; i < n; i++) {
            char c = uri.charAt(i);
            if (c == '?') {
                q = i + 1;
                break;
            }
            if (c == '#') {
                return 0;
            }
        }
        if (q < 0 || q >= n) {
            return 0;
        }
        double best = 0;
        int i = q;
        while (i < n) {
            char c = uri.charAt(i);
            if (c == '#') {
                break;
            }
            if (!isAlnum(c)) {
                i++;
                continue;
            }
            int letters = 0;
            int digits = 0;
            int switches = 0;
            boolean lower = false;
            boolean upper = false;
            int start = i;
            int lastKind = -1;
            int vowels = 0;
            int consonantRun = 0;
            int longestConsonantRun = 0;
            for (; i < n && isAlnum(c = uri.charAt(i)); i++) {
                int kind = c <= '9' ? 0 : 1;
                if (kind == 0) {
                    digits++;
                    consonantRun = 0;
                } else {
                    letters++;
                    lower |= c >= 'a';
                    upper |= c <= 'Z';
                    if (isVowel(c)) {
                        vowels++;
                        consonantRun = 0;
                    } else {
                        longestConsonantRun = Math.max(longestConsonantRun, ++consonantRun);
                    }
                }
                if (lastKind >= 0 && kind != lastKind) {
                    switches++;
                }
                lastKind = kind;
            }
            int len = i - start;
            double bits;
            if (letters == 0) {
                bits = digits * 3.32;
            } else if (switches >= 2) {
                bits = len * (lower && upper ? 5.95 : 5.17);
            } else if (letters >= 6 && (vowels * 4 < letters || longestConsonantRun >= 5)) {
                bits = letters * 4.7 + digits * 3.32;
            } else {
                bits = letters * 2.0 + digits * 3.32;
            }
            best = Math.max(best, bits);
        }
        return (int) Math.min(7, best / 16);
    }

    private static boolean isVowel(char c) {
        return switch (c | 0x20) {
            case 'a', 'e', 'i', 'o', 'u', 'y' -> true;
            default -> false;
        };
    }

    private static boolean isAlnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
