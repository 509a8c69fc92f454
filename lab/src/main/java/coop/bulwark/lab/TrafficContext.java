package coop.bulwark.lab;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * What every simulated client of one run shares: where the edge is, the sites and which are targets, the recorder,
 * the socket registry, and when the run ends.
 *
 * @param edge the edge's HTTP address (Bulwark in-process, or an external edge)
 * @param sites number of sites (ranks 1..sites)
 * @param targetRanks popularity ranks of the attacked sites
 * @param popularity the legitimate visitors' site choice
 * @param endNanos {@link System#nanoTime()} at which the run ends: every loop stops by then
 */
record TrafficContext(
        InetSocketAddress edge,
        int sites,
        Set<Integer> targetRanks,
        Popularity popularity,
        RunRecorder recorder,
        SocketRegistry sockets,
        long endNanos) {

    TrafficContext {
        targetRanks = Set.copyOf(targetRanks);
    }

    boolean running() {
        return System.nanoTime() < endNanos && !Thread.currentThread().isInterrupted();
    }

    /** Sleeps until {@code deadlineNanos} or the end of the run, whichever comes first. */
    void sleepUntil(long deadlineNanos) {
        long until = Math.min(deadlineNanos, endNanos);
        for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    boolean isTarget(int rank) {
        return targetRanks.contains(rank);
    }
}
