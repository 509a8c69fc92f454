package coop.bulwark.challenge;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The challenge's per-request cost on a challenged site: finding and verifying {@code bulwark_pass} in a realistic
 * {@code Cookie} header (valid, forged, and absent), and for comparison verifying an answer (token MAC and one SHA-256).
 * Headers and addresses are 256 precomputed clients (IPv4 and IPv6).
 *
 * <p>Run: {@code bench/jmh.sh PassCodecBenchmark} (quick: {@code bench/jmh.sh PassCodecBenchmark -f 1 -wi 2 -i 3 -w 1s
 * -r 1s}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PassCodecBenchmark {
    private static final int CLIENTS = 256;
    private static final String SITE = "site-0017";

    private PassCodec codec;
    private final byte[][] addrs = new byte[CLIENTS][];
    private final String[] valid = new String[CLIENTS];
    private final String[] forged = new String[CLIENTS];
    private final String[] absent = new String[CLIENTS];
    private final String[] tokens = new String[CLIENTS];
    private final String[] nonces = new String[CLIENTS];
    private long now;
    private int next;

    @Setup
    public void setUp() throws IOException {
        ChallengeKeys keys = ChallengeKeys.open(Optional.empty(), Duration.ofHours(24), Clock.systemUTC());
        codec = new PassCodec(keys);
        now = Clock.systemUTC().instant().getEpochSecond();
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < CLIENTS; i++) {
            byte[] a = new byte[i % 4 == 0 ? 16 : 4];
            rnd.nextBytes(a);
            addrs[i] = a;
            String c = codec.cookie(PassCodec.Kind.WORK, SITE, a, 16, now + 3600);
            String others = "_ga=GA1.2.1234567890.1700000000; wordpress_test_cookie=WP%20Cookie%20check; ";
            valid[i] = others + PassCodec.COOKIE_NAME + "=" + c + "; theme=dark";
            char flip = c.charAt(30) == 'A' ? 'B' : 'A';
            forged[i] = others + PassCodec.COOKIE_NAME + "=" + c.substring(0, 30) + flip + c.substring(31);
            absent[i] = others + "theme=dark";
            tokens[i] = codec.token(PassCodec.Kind.WORK, SITE, a, 8, now);
            nonces[i] = Long.toString(ProofOfWork.solve(tokens[i], 8));
        }
    }

    private int next() {
        return next = (next + 1) & (CLIENTS - 1);
    }

    @Benchmark
    public int cookieValid() {
        int i = next();
        return codec.verifyCookieHeader(valid[i], SITE, addrs[i], now);
    }

    @Benchmark
    public int cookieForged() {
        int i = next();
        return codec.verifyCookieHeader(forged[i], SITE, addrs[i], now);
    }

    @Benchmark
    public int cookieAbsent() {
        int i = next();
        return codec.verifyCookieHeader(absent[i], SITE, addrs[i], now);
    }

    @Benchmark
    public boolean answer() {
        int i = next();
        return codec.verifyToken(tokens[i], SITE, addrs[i], now, 600).valid()
                && ProofOfWork.check(tokens[i], nonces[i], 8);
    }
}
