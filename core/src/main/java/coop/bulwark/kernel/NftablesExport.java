package coop.bulwark.kernel;

import coop.bulwark.protect.BanList;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.KernelConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an nftables table in step with the ban list, so banned sources are dropped in the kernel before a socket
 * exists ({@code kernel.nftables}). User-space refusal stays in force regardless: the kernel is a cheaper first line,
 * never the only one.
 *
 * <p>While the export is on (or its table still held), every 100 ms the export's own thread checks the ban list's
 * version; on a change (and once a second for bans that expired or networks that lapsed) it computes the
 * {@link DesiredSet}, the {@link SetChanges} against what the kernel holds, and runs them as one {@code nft -f -}
 * batch: a ban reaches the kernel within about 100 ms plus one nft run.
 * A failed batch (an element that expired meanwhile, one deleted by hand) is retried once against a fresh listing;
 * repeated failures rebuild the table atomically. On start and on each reload the sets are listed and reconciled;
 * once a minute too. If the table cannot be made (no nft, no root, a kernel without nf_tables) the edge says so once
 * in the log and in {@link #status()}, keeps serving with user-space bans and tries again every 30 s.
 *
 * <p>Thread-safety: {@link #status()} and {@link #protectClient} may be called from any thread; everything else runs
 * on the export's thread.
 */
public final class NftablesExport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("bulwark.kernel");
    static final Duration POLL = Duration.ofMillis(100);
    static final Duration FULL_PASS = Duration.ofSeconds(1);
    static final Duration RECONCILE = Duration.ofSeconds(60);
    static final Duration COUNTERS = Duration.ofSeconds(2);
    static final Duration RETRY = Duration.ofSeconds(30);
    /** Failed batches in a row (each already retried once) before the table is rebuilt from scratch. */
    static final int REBUILD_AFTER = 3;
    /** Admin API clients remembered as protected; more are not needed to keep an operator's own address out. */
    private static final int MAX_ADMIN_CLIENTS = 256;

    private static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));

    private final BanList bans;
    private final Nft nft;
    private final InstantSource clock;
    private final Set<Cidr> adminClients = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService thread;

    // Confined to the export's thread.
    private KernelConfig.Nftables config = KernelConfig.Nftables.DEFAULTS;
    private List<Cidr> protectedNets = LOOPBACK;
    private NftTable table;
    private Map<Cidr, SetElement> kernel = new HashMap<>();
    private long seenVersion = -1;
    private Instant nextPass = Instant.EPOCH;
    private Instant nextReconcile = Instant.EPOCH;
    private Instant nextCounters = Instant.EPOCH;
    private Instant nextRetry = Instant.EPOCH;
    private long dropsBefore;
    private long counterAtStart;
    private long counterNow;
    private long failures;
    private int failedInARow;
    private int skippedProtected;
    private String lastError;
    private String lastLogged;
    /** Whether this process ever had its table in place (then a stop removes it by name, whatever happened since). */
    private boolean everActive;
    /** The poll's schedule while there is something to follow (see {@link #follow}), else null. Volatile for tests. */
    private volatile ScheduledFuture<?> polling;

    private volatile KernelStatus status = KernelStatus.OFF;

    public NftablesExport(BanList bans, Nft nft, InstantSource clock) {
        this.bans = bans;
        this.nft = nft;
        this.clock = clock;
    }

    /**
     * Networks never put in the kernel's ban set: trusted proxies (a ban there would cut off everyone behind them) and
     * the admin listener's own address (loopback is always kept out by the export).
     */
    public static List<Cidr> protectedNetworks(EdgeConfig config) {
        List<Cidr> nets = new ArrayList<>(config.trustedProxies());
        try {
            Cidr admin = Cidr.parse(config.admin().listen().host());
            if (admin.network().length == 4 ? !admin.equals(Cidr.parse("0.0.0.0")) : !admin.equals(Cidr.parse("::"))) {
                nets.add(admin);
            }
        } catch (IllegalArgumentException e) {
            // a host name: its clients are protected as they use the API (protectClient)
        }
        return nets;
    }

    /**
     * Applies the first config and starts following the bans on the export's own thread.
     *
     * @param protectedNets networks never put in the set (trusted proxies, the admin listener); loopback always
     */
    public synchronized void start(KernelConfig.Nftables c, Collection<Cidr> protectedNets) {
        if (thread != null) {
            throw new IllegalStateException("started");
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bulwark-kernel");
            t.setDaemon(true);
            return t;
        });
        thread.execute(() -> configure(c, protectedNets));
    }

    /** Applies a reloaded config (asynchronously, on the export's thread). */
    public synchronized void reconfigure(KernelConfig.Nftables c, Collection<Cidr> protectedNets) {
        if (thread != null) {
            thread.execute(() -> configure(c, protectedNets));
        }
    }

    /** Keeps {@code client}, which used the admin API, out of the set from now on. */
    public void protectClient(InetAddress client) {
        if (adminClients.size() < MAX_ADMIN_CLIENTS) {
            byte[] a = client.getAddress();
            adminClients.add(new Cidr(a, a.length * 8));
        }
    }

    public KernelStatus status() {
        return status;
    }

    /** Whether the export's thread polls (a table wanted or held); off, it sleeps. */
    boolean following() {
        return polling != null;
    }

    /** Applies {@code c}: removes a table that is no longer wanted, makes or reconciles the wanted one. */
    void configure(KernelConfig.Nftables c, Collection<Cidr> protectedNets) {
        Instant now = clock.instant();
        this.protectedNets =
                Stream.concat(LOOPBACK.stream(), protectedNets.stream()).toList();
        NftTable want = c.enabled() ? NftTable.of(c) : null;
        if (table != null && !table.equals(want)) {
            remove(table);
        }
        config = c;
        if (want == null) {
            lastError = null;
            lastLogged = null;
        } else if (table == null) {
            activate(want, now);
        } else {
            reconcile(now);
        }
        publish();
        follow();
    }

    /**
     * Polls only while a table is wanted or still held: an edge without the export (the default) woke this thread ten
     * times a second for nothing (in /proc, 11 of an idle edge's 58 ticks over 30 s on a 2-core VM). A reload that
     * turns the export on starts the polls again.
     */
    private void follow() {
        boolean wanted = config.enabled() || table != null;
        if (wanted && polling == null && thread != null) {
            polling =
                    thread.scheduleWithFixedDelay(this::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        } else if (!wanted && polling != null) {
            polling.cancel(false);
            polling = null;
        }
    }

    /** One poll of the export's thread: activation retries, ban changes, periodic passes, counters. */
    void poll() {
        try {
            Instant now = clock.instant();
            if (table == null) {
                if (config.enabled() && !now.isBefore(nextRetry)) {
                    activate(NftTable.of(config), now);
                    publish();
                }
                return;
            }
            if (bans.version() != seenVersion || !now.isBefore(nextPass)) {
                sync(now);
            }
            if (table != null && !now.isBefore(nextReconcile)) {
                reconcile(now);
            }
            if (table != null && !now.isBefore(nextCounters)) {
                readCounters(now);
            }
            publish();
        } catch (RuntimeException e) {
            // Never let one bad pass cancel the schedule.
            LOG.error("kernel.nftables: sync pass failed", e);
        }
    }

    private DesiredSet desired(Instant now) {
        seenVersion = bans.version();
        List<Cidr> keepOut =
                Stream.concat(protectedNets.stream(), adminClients.stream()).toList();
        DesiredSet d = DesiredSet.of(bans.list(), keepOut, config.minBan(), now);
        skippedProtected = d.skippedProtected();
        return d;
    }

    /** Takes over a table of the right layout (reconciling its sets) or builds one atomically. */
    private void activate(NftTable t, Instant now) {
        NftResult listing = nft.run(t.listTableArgs(), null);
        Map<Cidr, SetElement> held =
                listing.ok() && t.matchesLayout(listing.output()) ? NftTable.elements(listing.output(), now) : null;
        if (held != null) {
            table = t;
            everActive = true;
            kernel = new HashMap<>(held);
            NftResult chain = nft.run(t.listChainArgs(), null);
            counterAtStart = chain.ok() ? Math.max(0, NftTable.droppedPackets(chain.output())) : 0;
            counterNow = counterAtStart;
            LOG.info(
                    "kernel.nftables: following the bans in the existing table inet {} ({} elements)",
                    t.name(),
                    held.size());
            sync(now);
        } else if (!build(t, now)) {
            nextRetry = now.plus(RETRY);
            return;
        }
        failedInARow = 0;
        nextReconcile = now.plus(RECONCILE);
        nextCounters = now.plus(COUNTERS);
    }

    /** Replaces the table with a fresh one holding the desired elements, in one atomic batch. */
    private boolean build(NftTable t, Instant now) {
        DesiredSet d = desired(now);
        NftResult r = nft.run(List.of("-f", "-"), t.createScript(d.elements().values(), now));
        if (!r.ok()) {
            failed("cannot create table inet " + t.name(), r);
            table = null;
            kernel = new HashMap<>();
            return false;
        }
        if (table == null) {
            LOG.info(
                    "kernel.nftables: active: table inet {} ({}), {} elements; banned sources are dropped before"
                            + " the edge sees them",
                    t.name(),
                    t.hookText() + ", priority " + t.priority(),
                    d.elements().size());
        }
        dropsBefore += counterNow - counterAtStart;
        counterAtStart = 0;
        counterNow = 0;
        table = t;
        everActive = true;
        kernel = new HashMap<>(d.elements());
        succeeded();
        nextPass = now.plus(FULL_PASS);
        return true;
    }

    /** Brings the sets in line with the bans; on failure retries once against a fresh listing. */
    private void sync(Instant now) {
        DesiredSet d = desired(now);
        kernel.values().removeIf(e -> e.expiredBy(now));
        nextPass = now.plus(FULL_PASS);
        SetChanges changes = SetChanges.between(kernel, d, now);
        if (changes.isEmpty()) {
            return;
        }
        NftResult r = nft.run(List.of("-f", "-"), table.changesScript(changes, now));
        if (r.ok()) {
            applied(changes);
            return;
        }
        failures++; // a failed nft run, even when the retry below succeeds
        // A delete of an element the kernel no longer holds fails the whole batch: read what it holds and retry.
        if (!listSets(now)) {
            rebuildIfStuck(now);
            return;
        }
        SetChanges again = SetChanges.between(kernel, d, now);
        if (again.isEmpty()) {
            applied(again);
            return;
        }
        NftResult retry = nft.run(List.of("-f", "-"), table.changesScript(again, now));
        if (retry.ok()) {
            applied(again);
            return;
        }
        failed("cannot update the ban sets of table inet " + table.name(), retry);
        rebuildIfStuck(now);
    }

    private void rebuildIfStuck(Instant now) {
        if (++failedInARow >= REBUILD_AFTER) {
            LOG.warn(
                    "kernel.nftables: {} failed updates in a row; rebuilding table inet {}",
                    failedInARow,
                    table.name());
            build(table, now);
        }
    }

    private void applied(SetChanges changes) {
        for (SetElement e : changes.delete()) {
            kernel.remove(e.subject());
        }
        for (SetElement e : changes.add()) {
            kernel.put(e.subject(), e);
        }
        failedInARow = 0;
        succeeded();
    }

    /** Replaces what the export believes the sets hold with what the kernel lists; false when it cannot list. */
    private boolean listSets(Instant now) {
        Map<Cidr, SetElement> held = new HashMap<>();
        for (String set : List.of(NftTable.SET4, NftTable.SET6)) {
            NftResult r = nft.run(table.listSetArgs(set), null);
            Map<Cidr, SetElement> e = r.ok() ? NftTable.elements(r.output(), now) : null;
            if (e == null) {
                failed("cannot list set " + set + " of table inet " + table.name(), r);
                return false;
            }
            held.putAll(e);
        }
        kernel = held;
        return true;
    }

    /** Lists the sets and fixes any difference (someone flushed them by hand; a reload; the minute's check). */
    private void reconcile(Instant now) {
        nextReconcile = now.plus(RECONCILE);
        NftResult layout = nft.run(table.listTableArgs(), null);
        if (!layout.ok() || !table.matchesLayout(layout.output())) {
            LOG.warn(
                    "kernel.nftables: table inet {} was changed or removed outside Bulwark; rebuilding it",
                    table.name());
            if (!build(table, now)) {
                nextRetry = now.plus(RETRY);
            }
            return;
        }
        Map<Cidr, SetElement> held = NftTable.elements(layout.output(), now);
        kernel = held == null ? new HashMap<>() : new HashMap<>(held);
        sync(now);
    }

    private void readCounters(Instant now) {
        nextCounters = now.plus(COUNTERS);
        NftResult r = nft.run(table.listChainArgs(), null);
        long packets = r.ok() ? NftTable.droppedPackets(r.output()) : -1;
        if (packets < 0) {
            return;
        }
        if (packets < counterNow) {
            // The rule was replaced behind our back: what it counted before is kept.
            dropsBefore += counterNow - counterAtStart;
            counterAtStart = 0;
        }
        counterNow = packets;
    }

    private void remove(NftTable t) {
        NftResult r = nft.run(List.of("-f", "-"), t.deleteScript());
        if (r.ok()) {
            LOG.info("kernel.nftables: table inet {} removed", t.name());
        } else if (!r.output().contains("No such file or directory")) {
            failed("cannot remove table inet " + t.name(), r);
        }
        dropsBefore += counterNow - counterAtStart;
        counterAtStart = 0;
        counterNow = 0;
        table = null;
        kernel = new HashMap<>();
    }

    private void failed(String what, NftResult r) {
        failures++;
        String message = what + ": " + explain(r);
        lastError = message;
        if (!message.equals(lastLogged)) {
            lastLogged = message;
            LOG.warn(
                    "kernel.nftables: {}; banned sources stay refused in user space (bulwark_kernel_sync_failures_total)",
                    message);
        }
    }

    private void succeeded() {
        if (lastError != null) {
            LOG.info("kernel.nftables: in sync again");
        }
        lastError = null;
        lastLogged = null;
    }

    /** nft's complaint in the words an operator needs. */
    static String explain(NftResult r) {
        String out = r.output();
        if (r.exitCode() == -1 && out.startsWith("cannot run")) {
            return "nft not found (" + r.firstLine() + "); install nftables";
        }
        if (out.contains("Operation not permitted")) {
            return "not permitted (run Bulwark as root or give it CAP_NET_ADMIN)";
        }
        if (out.contains("Protocol not supported") || out.contains("Could not process rule: No such file")) {
            return "the kernel refused (" + r.firstLine() + "; is nf_tables available?)";
        }
        return r.firstLine().isEmpty() ? "nft exited with " + r.exitCode() : r.firstLine();
    }

    private void publish() {
        if (!config.enabled()) {
            status = new KernelStatus(false, false, "", "", 0, dropsBefore, failures, 0, Optional.empty());
            return;
        }
        NftTable t = NftTable.of(config);
        status = new KernelStatus(
                true,
                table != null,
                "inet " + t.name(),
                t.hookText(),
                table == null ? 0 : kernel.size(),
                dropsBefore + counterNow - counterAtStart,
                failures,
                skippedProtected,
                Optional.ofNullable(lastError));
    }

    /** Stops following the bans; removes the table unless {@code keep_on_exit}. */
    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (this) {
            t = thread;
            thread = null;
        }
        if (t == null) {
            return;
        }
        // Let a batch in flight finish (nft applies a batch as one transaction either way), then stop.
        t.shutdown();
        try {
            if (!t.awaitTermination(5, TimeUnit.SECONDS)) {
                t.shutdownNow();
                t.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            t.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (!config.enabled() || !everActive) {
            return;
        }
        NftTable mine = table != null ? table : NftTable.of(config);
        if (config.keepOnExit()) {
            LOG.info("kernel.nftables: keeping table inet {} (keep_on_exit)", mine.name());
        } else {
            remove(mine); // by name even if the last pass failed: a table never outlives the edge by mistake
        }
    }
}
