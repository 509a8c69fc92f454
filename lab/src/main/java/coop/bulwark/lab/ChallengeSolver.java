package coop.bulwark.lab;

import coop.bulwark.challenge.ProofOfWork;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Solves the challenges the simulated people meet as their browsers would on their own machines: on a few daemon
 * platform threads at a lower CPU priority ({@link DevicePriority}), not on the virtual threads that send the people's
 * requests and time their answers.
 *
 * <p>Why: every simulated person of a lab process shares that process and, pinned to one core, one carrier thread. A
 * proof of work solved on it (tens of milliseconds at 16 bits, sometimes hundreds) held every other person's request
 * in the process until it was done, so the bystanders' latencies counted the targets' people's puzzles, and only
 * behind an edge that challenges: the lab measuring itself. Here a solve yields the core to the clients that time
 * requests; the person who asked still waits for it, as on a slow phone.
 */
final class ChallengeSolver {
    /** People solving at once, each on a thread of their own (their own machines). */
    private static final int THREADS = 4;

    private static final ExecutorService POOL = Executors.newFixedThreadPool(THREADS, task -> {
        Thread t = new Thread(
                () -> {
                    DevicePriority.lowerThisThread();
                    task.run();
                },
                "lab-challenge-solver");
        t.setDaemon(true);
        return t;
    });

    private ChallengeSolver() {}

    /** {@link ProofOfWork#solve}, on a solver thread; the caller waits (a virtual thread parks, freeing its carrier). */
    static long solve(String token, int difficulty) throws IOException {
        Future<Long> f = POOL.submit(() -> ProofOfWork.solve(token, difficulty));
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while solving a challenge");
        } catch (ExecutionException e) {
            throw new IOException("solving a challenge failed", e.getCause());
        }
    }

    /** The nice value of the solver threads (Linux), for tests; null where it cannot be read. */
    static Integer niceOfASolverThread() throws IOException {
        try {
            return POOL.submit(DevicePriority::niceOfThisThread).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }
}
