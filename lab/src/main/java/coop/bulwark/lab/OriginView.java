package coop.bulwark.lab;

/**
 * What a run reads from the origin model once a second: the model in this process ({@link OriginModel}) or one that
 * runs in another process behind an external edge ({@link RemoteOrigin}).
 */
public interface OriginView {
    /** Cumulative counters and the current load. */
    record Sample(long attackArrived, long legitArrived, int busy, int queued) {}

    Sample sample();

    int workers();
}
