package coop.bulwark.detect;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Records requests for {@link TrafficAccounting}: one recorder per event loop, fed once per request with
 * primitives, allocation-free, with no locks and no shared writes except the (rarely changing) distinct-source
 * sketch registers.
 *
 * <p>Event-loop-confined: only the thread that owns this recorder may call {@link #record}. Different recorders
 * of one accounting may record concurrently. The tick thread reads a generation only after it has been closed.
 */
/*
 * Each recorder owns two generations of its counters and summaries; TrafficAccounting's epoch says which one is
 * open (epoch & 1). Only the owning event loop ever writes them, clearing included: when a record finds its
 * generation stamped with an older epoch, it clears it first and stamps it with the current one (a release store).
 * The tick thread never writes a recorder's state; it reads the closed generation only if its stamp (acquired) is
 * the epoch being closed, else the recorder recorded nothing then. So no write of the tick can race with a
 * record, and a record stalled across a flip can never resurrect a count already harvested: its late writes land
 * in a generation that is cleared before it is used again. What remains: a record that read the epoch just before
 * the flip may still be writing into the closed generation while the tick reads it (at most one request per
 * recorder per harvest lost or half-counted: harmless for a per-second signal; waiting for stragglers would put
 * the tick at the mercy of an event loop).
 */
public final class TrafficRecorder {
    /** Method codes for {@link #record}; anything else counts as {@link #METHOD_OTHER}. */
    public static final int METHOD_GET = 0;

    public static final int METHOD_HEAD = 1;
    public static final int METHOD_POST = 2;
    public static final int METHOD_OTHER = 3;

    /**
     * Query-entropy buckets from this one up count as high-entropy (a cache-busting nonce). The caller's bucket is
     * {@code min(7, estimated random bits in the query string / 16)}; 0 means no query.
     */
    public static final int HIGH_ENTROPY_BUCKET = 2;

    static final int REQUESTS = 0;
    static final int CLIENT_ERRORS = 1;
    static final int SERVER_ERRORS = 2;
    static final int TIMEOUTS = 3;
    static final int BYTES = 4;
    static final int ORIGIN_RESPONSES = 5;
    static final int ORIGIN_NANOS = 6;
    static final int COOKIED = 7;
    static final int RETURNING = 8;
    static final int VOUCHED = 9;
    static final int HIGH_ENTROPY = 10;
    static final int METHODS = 11; // 11..14: GET, HEAD, POST, other
    /** Counters per site, a power of two so a site's block is {@code site << 4}: two cache lines. */
    static final int FIELDS = 16;

    static final int PREFIX_CAPACITY = 32;
    /** Text samples of path and User-Agent hashes kept per site and kind, so reports can show the strings. */
    static final int SAMPLE_SLOTS = 8;

    static final int SAMPLE_PATH = 0;
    static final int SAMPLE_AGENT = 1;
    static final int SIGNATURE_CAPACITY = 8;
    static final int GLOBAL_PREFIX_CAPACITY = 64;

    /** Running totals per site: the fields of {@link SiteCounts}, one cache line. */
    static final int RUNNING_FIELDS = 8;

    private static final VarHandle SEQUENCE;

    static {
        try {
            SEQUENCE = MethodHandles.lookup().findVarHandle(TrafficRecorder.class, "sequence", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TrafficAccounting accounting;
    private final int sites;
    private final long seed;
    final long[][] counters;
    final SpaceSaving[][] prefixes;
    final SpaceSaving[][] paths;
    final SpaceSaving[][] agents;
    /** [generation][(site * 2 + kind) * SAMPLE_SLOTS + slot]: the hash a sample text belongs to, and the text. */
    final long[][] sampleKeys;

    final String[][] sampleTexts;

    /**
     * Running totals per site since this recorder was built, {@link #RUNNING_FIELDS} per site in {@link SiteCounts}'s
     * order: never cleared, so another thread (the cluster's, every 250 ms) may read them at any time without touching
     * the generations the tick harvests. Written by the owner only.
     */
    final long[] running;

    @SuppressWarnings("unused") // written by VarHandle
    private long sequence;

    /** The epoch whose data each generation holds (-1: none yet); written by the owner, read by the tick. */
    private final AtomicLongArray stamps = new AtomicLongArray(new long[] {-1, -1});

    TrafficRecorder(TrafficAccounting accounting, int sites, long seed) {
        this.accounting = accounting;
        this.sites = sites;
        this.seed = seed;
        counters = new long[2][sites * FIELDS];
        prefixes = new SpaceSaving[2][sites];
        paths = new SpaceSaving[2][sites];
        agents = new SpaceSaving[2][sites];
        sampleKeys = new long[2][sites * 2 * SAMPLE_SLOTS];
        sampleTexts = new String[2][sites * 2 * SAMPLE_SLOTS];
        running = new long[sites * RUNNING_FIELDS];
        for (int g = 0; g < 2; g++) {
            for (int s = 0; s < sites; s++) {
                prefixes[g][s] = new SpaceSaving(PREFIX_CAPACITY);
                paths[g][s] = new SpaceSaving(SIGNATURE_CAPACITY);
                agents[g][s] = new SpaceSaving(SIGNATURE_CAPACITY);
            }
        }
    }

    /**
     * Counts one finished (or refused) request. Call on this recorder's event loop, once per request, when the
     * response status is known.
     *
     * @param r what the request was (site, source, method, path, agent, cookies)
     * @param status the status sent to the client; 504 counts as an origin timeout, other 5xx as server errors
     * @param bytes response bytes sent
     * @param originNanos time to the origin's response head, or -1 when the origin was not asked (cache, refusal)
     */
    public void record(RequestTraits r, int status, long bytes, long originNanos) {
        int site = r.site();
        long sourceKey = r.sourceKey();
        long prefixKey = r.prefixKey();
        boolean validCookie = r.validCookie();
        boolean returning = r.returning();
        int method = r.method();
        long pathHash = r.pathHash();
        int queryEntropyBucket = r.queryEntropyBucket();
        long userAgentHash = r.userAgentHash();
        String pathText = r.pathText();
        String userAgentText = r.userAgentText();
        Objects.checkIndex(site, sites);
        int epoch = accounting.epoch();
        int g = epoch & 1;
        if (stamps.get(g) != epoch) {
            clear(g); // data of an interval the tick has finished with
            stamps.setRelease(g, epoch);
        }
        long[] c = counters[g];
        int b = site * FIELDS;
        c[b + REQUESTS]++;
        if (status >= 400) {
            c[b + (status < 500 ? CLIENT_ERRORS : status == 504 ? TIMEOUTS : SERVER_ERRORS)]++;
        }
        c[b + BYTES] += bytes;
        if (originNanos >= 0) {
            c[b + ORIGIN_RESPONSES]++;
            c[b + ORIGIN_NANOS] += originNanos;
        }
        if (validCookie) {
            c[b + COOKIED]++;
        }
        if (returning) {
            c[b + RETURNING]++;
        }
        if (validCookie || returning) {
            c[b + VOUCHED]++;
        }
        if (queryEntropyBucket >= HIGH_ENTROPY_BUCKET) {
            c[b + HIGH_ENTROPY]++;
        }
        c[b + METHODS + (method >= METHOD_GET && method <= METHOD_POST ? method : METHOD_OTHER)]++;
        count(site, status, bytes, validCookie, validCookie || returning, queryEntropyBucket >= HIGH_ENTROPY_BUCKET);

        long h = mix(sourceKey ^ seed);
        accounting.sourceSketch(g, site).add(h);
        accounting.globalSourceSketch(g).add(h);
        prefixes[g][site].offer(prefixKey, 1);
        paths[g][site].offer(pathHash, 1);
        agents[g][site].offer(userAgentHash, 1);
        if (pathText != null) {
            sample(g, site, SAMPLE_PATH, pathHash, pathText);
        }
        if (userAgentText != null) {
            sample(g, site, SAMPLE_AGENT, userAgentHash, userAgentText);
        }
        SEQUENCE.setRelease(this, (long) SEQUENCE.get(this) + 1);
    }

    private void count(int site, int status, long bytes, boolean cookied, boolean vouched, boolean highEntropy) {
        long[] t = running;
        int b = site * RUNNING_FIELDS;
        t[b]++;
        if (status >= 400) {
            t[b + (status < 500 ? 1 : status == 504 ? 3 : 2)]++;
        }
        t[b + 4] += bytes;
        if (cookied) {
            t[b + 5]++;
        }
        if (vouched) {
            t[b + 6]++;
        }
        if (highEntropy) {
            t[b + 7]++;
        }
    }

    /** Site {@code site}'s running totals (any thread, after {@link #acquire}; a record in progress may be half in). */
    SiteCounts running(int site) {
        long[] t = running;
        int b = site * RUNNING_FIELDS;
        return new SiteCounts(t[b], t[b + 1], t[b + 2], t[b + 3], t[b + 4], t[b + 5], t[b + 6], t[b + 7]);
    }

    private void sample(int g, int site, int kind, long key, String text) {
        int i = (site * 2 + kind) * SAMPLE_SLOTS + (int) (key >>> 61);
        long[] keys = sampleKeys[g];
        if (keys[i] != key) {
            keys[i] = key;
            sampleTexts[g][i] = text;
        }
    }

    /** The text recorded for {@code key} of {@code kind} in generation {@code g}, or null (for the tick). */
    String sampleText(int g, int site, int kind, long key) {
        int i = (site * 2 + kind) * SAMPLE_SLOTS + (int) (key >>> 61);
        return sampleKeys[g][i] == key ? sampleTexts[g][i] : null;
    }

    /** Makes every write of a completed {@link #record} visible to the calling (tick) thread. */
    void acquire() {
        SEQUENCE.getAcquire(this);
    }

    /** Whether generation {@code g} holds data of {@code epoch} (for the tick, after {@link #acquire}). */
    boolean holds(int g, int epoch) {
        return stamps.getAcquire(g) == epoch;
    }

    private void clear(int g) {
        Arrays.fill(counters[g], 0);
        Arrays.fill(sampleKeys[g], 0);
        Arrays.fill(sampleTexts[g], null);
        for (int s = 0; s < sites; s++) {
            prefixes[g][s].clear();
            paths[g][s].clear();
            agents[g][s].clear();
        }
    }

    /** The murmur3 64-bit finaliser: a bijection that spreads every input bit over the whole word. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** The bytes of state this recorder holds per site (both generations), for memory accounting. */
    static long bytesPerSite() {
        long counterBytes = FIELDS * 8L;
        long summary = 3 * 8L * PREFIX_CAPACITY + 2 * (3 * 8L * SIGNATURE_CAPACITY) + 3 * (16 + 3 * 16);
        long samples = 2 * SAMPLE_SLOTS * (8L + 4L); // hash and reference; the strings belong to requests in flight
        return 2 * (counterBytes + summary + samples) + RUNNING_FIELDS * 8L;
    }
}
