package coop.bulwark.report;

import coop.bulwark.detect.SiteSecond;
import coop.bulwark.detect.TrafficSecond;
import java.util.Arrays;

/**
 * The last {@link #SLOTS} ticks of every site, kept while no attack is open so a report can show the baseline and
 * the onset before the attack was declared. Frozen (not written) while an attack is open: it then holds the
 * minute before that attack.
 *
 * <p>Not thread-safe: confined to its {@link IncidentRecorder}'s lock.
 */
/*
 * Memory: SLOTS x FIELDS floats per site, 60 x 6 x 4 B = 1,440 B per site (1.2 MiB for 850 sites), plus two longs
 * and a double per slot. Floats are exact for counts below 2^24 per site per second, and the latency sum is kept in
 * milliseconds.
 */
final class History {
    static final int SLOTS = 60;

    static final int REQUESTS = 0;
    static final int ORIGIN = 1;
    static final int FAILURES = 2;
    static final int ORIGIN_MILLIS = 3;
    static final int VOUCHED = 4;
    static final int DISTINCT = 5;
    static final int FIELDS = 6;

    private final int sites;
    private final float[] data;
    private final long[] endMillis = new long[SLOTS];
    private final double[] seconds = new double[SLOTS];
    private int next;
    private int filled;

    History(int sites) {
        this.sites = sites;
        data = new float[sites * SLOTS * FIELDS];
    }

    int sites() {
        return sites;
    }

    void record(TrafficSecond t) {
        int slot = next;
        endMillis[slot] = t.at().toEpochMilli();
        seconds[slot] = t.seconds();
        int n = Math.min(sites, t.sites().size());
        for (int s = 0; s < n; s++) {
            SiteSecond x = t.sites().get(s);
            int b = base(s, slot);
            data[b + REQUESTS] = x.requests();
            data[b + ORIGIN] = x.originResponses();
            data[b + FAILURES] = x.serverErrors() + x.timeouts();
            data[b + ORIGIN_MILLIS] = (float) (x.originNanos() / 1e6);
            data[b + VOUCHED] = x.vouched();
            data[b + DISTINCT] = (float) x.distinctSources();
        }
        for (int s = n; s < sites; s++) {
            Arrays.fill(data, base(s, slot), base(s, slot) + FIELDS, 0f);
        }
        next = (slot + 1) % SLOTS;
        filled = Math.min(SLOTS, filled + 1);
    }

    /** The number of slots held, oldest first through {@link #slot}. */
    int size() {
        return filled;
    }

    /** The ring position of the {@code i}-th oldest slot. */
    int slot(int i) {
        return Math.floorMod(next - filled + i, SLOTS);
    }

    long endMillis(int slot) {
        return endMillis[slot];
    }

    double seconds(int slot) {
        return seconds[slot];
    }

    float get(int site, int slot, int field) {
        return data[base(site, slot) + field];
    }

    private int base(int site, int slot) {
        return (site * SLOTS + slot) * FIELDS;
    }
}
