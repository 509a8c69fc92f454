package coop.bulwark.detect;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Streaming per-site traffic accounting with memory bounded by the number of sites and event loops, never by the
 * number of clients: {@link #bytesPerSite} bytes per site (about 13.6 KiB with two event loops).
 *
 * <p>Per request, the event loop calls {@link TrafficRecorder#record} on its own {@link #recorder}. Once per
 * second, one scheduler thread calls {@link #harvest}, which closes the open generation, returns its totals and
 * opens the other.
 *
 * <p>Thread-safety: {@link #recorder} and {@link #harvest} are for the one tick/setup thread; recorders are each
 * confined to their event loop. Adding a site means building a new accounting (the site count is fixed).
 */
/*
 * Memory per site: each recorder holds two generations of 16 counters (256 B) and three Space-Saving summaries
 * (k = 32 for prefixes, k = 8 for paths and user agents; ~1.2 KiB per generation), and the accounting holds two
 * generations of a 4 KiB HyperLogLog shared by all recorders. With two event loops: 2 x 2.7 KiB + 8 KiB, i.e.
 * ~13.6 KiB per site, ~11.5 MiB for 850 sites. The global view adds two HyperLogLogs; its top prefixes (k = 64)
 * are merged from the sites' summaries at harvest, so a global heavy hitter is found when it is heavy on some
 * site; one spread thinly over hundreds of sites can be missed (it is then no site's problem either).
 */
public final class TrafficAccounting {
    /** HyperLogLog precision: 4 KiB per sketch, 1.6% standard error. */
    public static final int SOURCE_PRECISION = 12;

    private final int sites;
    private final TrafficRecorder[] recorders;
    private final HyperLogLog[][] sources;
    private final HyperLogLog[] globalSources;
    private final SpaceSaving prefixScratch = new SpaceSaving(TrafficRecorder.PREFIX_CAPACITY);
    private final SpaceSaving pathScratch = new SpaceSaving(TrafficRecorder.SIGNATURE_CAPACITY);
    private final SpaceSaving agentScratch = new SpaceSaving(TrafficRecorder.SIGNATURE_CAPACITY);
    private final SpaceSaving globalScratch = new SpaceSaving(TrafficRecorder.GLOBAL_PREFIX_CAPACITY);
    private volatile int epoch;

    /**
     * @param sites the number of site indexes, 1 to 8191
     * @param eventLoops the number of recorders (one per event loop), 1 to 256
     * @param seed the secret mixed into source keys before they are sketched (use a random value in production)
     */
    public TrafficAccounting(int sites, int eventLoops, long seed) {
        if (sites < 1 || sites > 8191) {
            throw new IllegalArgumentException("sites: " + sites + " (expected: 1-8191)");
        }
        if (eventLoops < 1 || eventLoops > 256) {
            throw new IllegalArgumentException("eventLoops: " + eventLoops + " (expected: 1-256)");
        }
        this.sites = sites;
        recorders = new TrafficRecorder[eventLoops];
        for (int i = 0; i < eventLoops; i++) {
            recorders[i] = new TrafficRecorder(this, sites, seed);
        }
        sources = new HyperLogLog[2][sites];
        globalSources = new HyperLogLog[2];
        for (int g = 0; g < 2; g++) {
            for (int s = 0; s < sites; s++) {
                sources[g][s] = new HyperLogLog(SOURCE_PRECISION);
            }
            globalSources[g] = new HyperLogLog(SOURCE_PRECISION);
        }
    }

    public int sites() {
        return sites;
    }

    /** The recorder for event loop {@code i} (0 to eventLoops - 1); give each event loop its own. */
    public TrafficRecorder recorder(int i) {
        Objects.checkIndex(i, recorders.length);
        return recorders[i];
    }

    /** Bytes of accounting state per site with this many event loops, independent of traffic. */
    public long bytesPerSite() {
        return recorders.length * TrafficRecorder.bytesPerSite() + 2L * (1 << SOURCE_PRECISION);
    }

    /**
     * Every site's running totals since this accounting was built, summed over the event loops: what an edge of a
     * cluster sends the others as deltas. Thread-safe (any thread, any time); a request being recorded meanwhile may be
     * counted in part, and is counted in full at the next reading.
     */
    public List<SiteCounts> running() {
        List<SiteCounts> out = new ArrayList<>(sites);
        for (TrafficRecorder r : recorders) {
            r.acquire();
        }
        for (int s = 0; s < sites; s++) {
            SiteCounts sum = SiteCounts.ZERO;
            for (TrafficRecorder r : recorders) {
                sum = sum.plus(r.running(s));
            }
            out.add(sum);
        }
        return out;
    }

    /** The current epoch (generation = epoch & 1). */
    int epoch() {
        return epoch;
    }

    HyperLogLog sourceSketch(int generation, int site) {
        return sources[generation][site];
    }

    HyperLogLog globalSourceSketch(int generation) {
        return globalSources[generation];
    }

    /**
     * Closes the open interval and returns what it recorded. Call from one thread, about once per second.
     *
     * @param now the end of the interval, for the record
     * @param seconds the interval's length (time since the previous harvest), > 0
     */
    public TrafficSecond harvest(Instant now, double seconds) {
        int closingEpoch = epoch;
        int closing = closingEpoch & 1;
        int next = closing ^ 1;
        // Recorders clear their own generations when they move to a new epoch (see TrafficRecorder). The shared
        // distinct-source sketches are cleared here: a late add into one only counts a source in the next window.
        for (HyperLogLog h : sources[next]) {
            h.clear();
        }
        globalSources[next].clear();
        epoch = epoch + 1; // single writer: the tick thread
        for (TrafficRecorder r : recorders) {
            r.acquire();
        }

        globalScratch.clear();
        List<SiteSecond> out = new ArrayList<>(sites);
        long total = 0;
        long[] sum = new long[TrafficRecorder.FIELDS];
        for (int s = 0; s < sites; s++) {
            Arrays.fill(sum, 0);
            int b = s * TrafficRecorder.FIELDS;
            for (TrafficRecorder r : recorders) {
                if (!r.holds(closing, closingEpoch)) {
                    continue; // nothing recorded by this loop in the closing interval
                }
                long[] c = r.counters[closing];
                for (int f = 0; f < TrafficRecorder.FIELDS; f++) {
                    sum[f] += c[b + f];
                }
            }
            long requests = sum[TrafficRecorder.REQUESTS];
            total += requests;
            out.add(siteSecond(s, sum, closing, closingEpoch, requests));
        }
        return new TrafficSecond(
                now,
                seconds,
                out,
                total,
                total == 0 ? 0 : globalSources[closing].estimate(),
                globalScratch.top(TrafficRecorder.GLOBAL_PREFIX_CAPACITY));
    }

    private SiteSecond siteSecond(int s, long[] sum, int closing, int closingEpoch, long requests) {
        List<HeavyHitter> prefixes = List.of();
        List<HeavyHitter> paths = List.of();
        List<HeavyHitter> agents = List.of();
        double distinct = 0;
        if (requests > 0) {
            prefixScratch.clear();
            pathScratch.clear();
            agentScratch.clear();
            for (TrafficRecorder r : recorders) {
                if (!r.holds(closing, closingEpoch)) {
                    continue;
                }
                prefixScratch.mergeFrom(r.prefixes[closing][s]);
                pathScratch.mergeFrom(r.paths[closing][s]);
                agentScratch.mergeFrom(r.agents[closing][s]);
            }
            // The global view is merged from the sites' summaries here rather than kept per request: a
            // many-source flood misses in every summary, and a k = 64 scan per request costed more than the rest.
            globalScratch.mergeFrom(prefixScratch);
            prefixes = prefixScratch.top(TrafficRecorder.PREFIX_CAPACITY);
            paths = pathScratch.top(TrafficRecorder.SIGNATURE_CAPACITY);
            agents = agentScratch.top(TrafficRecorder.SIGNATURE_CAPACITY);
            distinct = sources[closing][s].estimate();
        }
        Map<Long, String> labels = Map.of();
        if (!paths.isEmpty() || !agents.isEmpty()) {
            labels = new HashMap<>();
            label(labels, paths, TrafficRecorder.SAMPLE_PATH, s, closing, closingEpoch);
            label(labels, agents, TrafficRecorder.SAMPLE_AGENT, s, closing, closingEpoch);
        }
        int m = TrafficRecorder.METHODS;
        return new SiteSecond(
                s,
                requests,
                sum[TrafficRecorder.CLIENT_ERRORS],
                sum[TrafficRecorder.SERVER_ERRORS],
                sum[TrafficRecorder.TIMEOUTS],
                sum[TrafficRecorder.BYTES],
                sum[TrafficRecorder.ORIGIN_RESPONSES],
                sum[TrafficRecorder.ORIGIN_NANOS],
                sum[TrafficRecorder.COOKIED],
                sum[TrafficRecorder.RETURNING],
                sum[TrafficRecorder.VOUCHED],
                sum[TrafficRecorder.HIGH_ENTROPY],
                List.of(sum[m], sum[m + 1], sum[m + 2], sum[m + 3]),
                distinct,
                prefixes,
                paths,
                agents,
                labels,
                0);
    }

    /** The recorded texts of the heavy keys (a key whose sample slot was taken by another shows no text). */
    private void label(
            Map<Long, String> labels, List<HeavyHitter> top, int kind, int site, int closing, int closingEpoch) {
        for (HeavyHitter h : top) {
            for (TrafficRecorder r : recorders) {
                if (!r.holds(closing, closingEpoch)) {
                    continue;
                }
                String text = r.sampleText(closing, site, kind, h.key());
                if (text != null) {
                    labels.put(h.key(), text);
                    break;
                }
            }
        }
    }
}
