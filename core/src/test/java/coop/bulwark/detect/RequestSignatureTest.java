package coop.bulwark.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RequestSignatureTest {
    private static boolean high(String uri) {
        return RequestSignature.queryEntropyBucket(uri) >= TrafficRecorder.HIGH_ENTROPY_BUCKET;
    }

    @Test
    void peoplesQueries_areNotHighEntropy() {
        for (String uri : new String[] {
            "/",
            "/post/42",
            "/?p=123",
            "/search?q=human+rights&page=2",
            "/?s=derechos%20humanos",
            "/wp-content/themes/coop/style.css?ver=6.4.2",
            "/?utm_source=newsletter&utm_medium=email&utm_campaign=fall2026",
            "/event?id=100234",
            "/page2?lang=es#section-3",
            "/search?q=human+rights+defenders",
            "/?category=newsletters&tag=rhythm",
            "/?ref=facebook&campaign=fundraiser",
            "/?",
            "/?&&==",
        }) {
            assertThat(high(uri)).as(uri).isFalse();
        }
    }

    @Test
    void cacheBusters_areHighEntropy() {
        for (String uri : new String[] {
            "/?_=1764063600123",
            "/?xkq=a8k2mz9q1w",
            "/?v=3f9a2c7e1b4d8f60",
            "/?nocache=Zq8Kp2Lm9Xr4",
            "/page?r=0.8410259372190331",
            "/?qx=kqhzvwpmtr",
            "/?abc=bxtqrwsl42",
        }) {
            assertThat(high(uri)).as(uri).isTrue();
        }
    }

    /** The lab's and most floods' buster: a 3-6 letter name and an 8-12 character base-36 value. */
    @Test
    void randomBase36Values_areMostlyFlagged() {
        SplittableRandom rnd = new SplittableRandom(7);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        int flagged = 0;
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder("/?");
            for (int k = 3 + rnd.nextInt(4); k > 0; k--) {
                b.append(alphabet.charAt(rnd.nextInt(26)));
            }
            b.append('=');
            for (int k = 8 + rnd.nextInt(5); k > 0; k--) {
                b.append(alphabet.charAt(rnd.nextInt(36)));
            }
            flagged += high(b.toString()) ? 1 : 0;
        }
        // A random value that happens to be all letters, or letters then digits, and can be read aloud passes for a
        // word: a few in a hundred (one in ten before the unpronounceable test).
        assertThat(flagged).isGreaterThan(n * 96 / 100);
    }

    @Test
    void pathHash_ignoresTheQuery_andSeparatesPaths() {
        assertThat(RequestSignature.pathHash("/a?x=1")).isEqualTo(RequestSignature.pathHash("/a?y=2"));
        assertThat(RequestSignature.pathHash("/a")).isNotEqualTo(RequestSignature.pathHash("/b"));
        assertThat(RequestSignature.pathHash("")).isZero();
    }

    @Test
    void methodCodes_andAgentHash() {
        assertThat(RequestSignature.methodCode("GET")).isEqualTo(TrafficRecorder.METHOD_GET);
        assertThat(RequestSignature.methodCode("HEAD")).isEqualTo(TrafficRecorder.METHOD_HEAD);
        assertThat(RequestSignature.methodCode("POST")).isEqualTo(TrafficRecorder.METHOD_POST);
        assertThat(RequestSignature.methodCode("PROPFIND")).isEqualTo(TrafficRecorder.METHOD_OTHER);
        assertThat(RequestSignature.textHash(null)).isZero();
        assertThat(RequestSignature.textHash("curl/8.0"))
                .isNotZero()
                .isNotEqualTo(RequestSignature.textHash("curl/8.1"));
    }
}
