package coop.bulwark.lab;

import java.util.random.RandomGenerator;

/**
 * The query strings a cache-busting flood appends: a random parameter name and value per request, so every request
 * has a cache key of its own unless the edge drops unknown parameters from the key.
 */
final class CacheBuster {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private CacheBuster() {}

    /** {@code path?name=value} with a random 3-6 letter name and a random 8-12 character value. */
    static String bust(String path, RandomGenerator rnd) {
        StringBuilder b = new StringBuilder(path.length() + 20).append(path).append('?');
        append(b, 3 + rnd.nextInt(4), rnd, true);
        b.append('=');
        append(b, 8 + rnd.nextInt(5), rnd, false);
        return b.toString();
    }

    private static void append(StringBuilder b, int n, RandomGenerator rnd, boolean lettersOnly) {
        for (int i = 0; i < n; i++) {
            b.append(ALPHABET[rnd.nextInt(lettersOnly ? 26 : ALPHABET.length)]);
        }
    }
}
