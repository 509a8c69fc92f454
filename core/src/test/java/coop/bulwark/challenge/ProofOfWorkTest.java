package coop.bulwark.challenge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class ProofOfWorkTest {
    @RepeatedTest(20)
    void solve_findsTheFirstNonce_thatCheckAccepts(RepetitionInfo info) throws Exception {
        Random rnd = new Random(0x5EED + info.getCurrentRepetition());
        String token = Long.toHexString(rnd.nextLong());
        int bits = 1 + rnd.nextInt(12);
        long nonce = ProofOfWork.solve(token, bits);
        assertThat(ProofOfWork.check(token, Long.toString(nonce), bits)).isTrue();
        // Reference: no smaller nonce works (the search is in order, like the page's script with one worker).
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        for (long n = 0; n < nonce; n++) {
            byte[] h = d.digest((token + n).getBytes(StandardCharsets.US_ASCII));
            assertThat(ProofOfWork.leadingZeroBits(h)).isLessThan(bits);
        }
    }

    @Test
    void check_refusesNoncesThatAreNotPlainDecimal() {
        String token = "t";
        long n = ProofOfWork.solve(token, 4);
        assertThat(ProofOfWork.check(token, Long.toString(n), 4)).isTrue();
        assertThat(ProofOfWork.check(token, "0" + n, 4)).isFalse();
        assertThat(ProofOfWork.check(token, "+" + n, 4)).isFalse();
        assertThat(ProofOfWork.check(token, "", 4)).isFalse();
        assertThat(ProofOfWork.check(token, null, 4)).isFalse();
        assertThat(ProofOfWork.check(token, "1".repeat(17), 0)).isFalse();
        assertThat(ProofOfWork.check(token, "0", 0)).isTrue();
    }

    @Test
    void leadingZeroBits_countsBitsNotDigits() {
        assertThat(ProofOfWork.leadingZeroBits(new byte[] {0, 0, (byte) 0x80})).isEqualTo(16);
        assertThat(ProofOfWork.leadingZeroBits(new byte[] {0, 0x01})).isEqualTo(15);
        assertThat(ProofOfWork.leadingZeroBits(new byte[] {0x10})).isEqualTo(3);
        assertThat(ProofOfWork.leadingZeroBits(new byte[] {0, 0})).isEqualTo(16);
    }
}
