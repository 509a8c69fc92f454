package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import coop.bulwark.challenge.ProofOfWork;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChallengeSolverTest {
    @Test
    void solves_theEdgesPuzzle() throws Exception {
        String token = "lab-test-token";
        long nonce = ChallengeSolver.solve(token, 10);
        assertThat(ProofOfWork.check(token, Long.toString(nonce), 10)).isTrue();
    }

    @Test
    void solvesAtADevicesPriority_soThePeoplesOwnRequestsAreNotHeldBehindAPuzzle() throws Exception {
        assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "Linux only");
        assertThat(ChallengeSolver.niceOfASolverThread()).isEqualTo(DevicePriority.NICE);
    }
}
