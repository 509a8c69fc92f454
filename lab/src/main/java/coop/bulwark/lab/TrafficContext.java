package coop.bulwark.lab;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * What every simulated client of one run shares: where the edge is, the sites and which are targets, the recorder,
 * the socket registry, and when the run ends.
 *
 * @param edges the edges' HTTP addresses (Bulwark's processes, or an external edge): one, or several sharing the
 *     traffic as DNS round-robin would
 * @param turn whose turn it is among {@code edges}
 * @param sites number of sites (ranks 1..sites)
 * @param targetRanks popularity ranks of the attacked sites
 * @param popularity the legitimate visitors' site choice
 * @param endNanos {@link System#nanoTime()} at which the run ends: every loop stops by then
 */
record TrafficContext(
        List<InetSocketAddress> edges,
        AtomicInteger turn,
        int sites,
        Set<Integer> targetRanks,
        Popularity popularity,
        RunRecorder recorder,
        SocketRegistry sockets,
        long endNanos) {

    TrafficContext {
        edges = List.copyOf(edges);
        targetRanks = Set.copyOf(targetRanks);
    }

    TrafficContext(
            InetSocketAddress edge,
            int sites,
            Set<Integer> targetRanks,
            Popularity popularity,
            RunRecorder recorder,
            SocketRegistry sockets,
            long endNanos) {
        this(List.of(edge), new AtomicInteger(), sites, targetRanks, popularity, recorder, sockets, endNanos);
    }

    /**
     * The edge a new connection goes to: with several, each in turn, as DNS round-robin hands out one address after
     * another (so a person's next connection may reach another edge than the last one).
     */
    InetSocketAddress edge() {
        return edges.size() == 1 ? edges.get(0) : edges.get(Math.floorMod(turn.getAndIncrement(), edges.size()));
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
