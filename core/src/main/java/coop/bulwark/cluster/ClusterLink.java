package coop.bulwark.cluster;

import coop.bulwark.challenge.ChallengeKeys;
import coop.bulwark.detect.AttackClaims;
import coop.bulwark.detect.PeerTraffic;
import coop.bulwark.detect.SiteCounts;
import coop.bulwark.protect.Ban;
import coop.bulwark.protect.BanList;
import coop.bulwark.site.Cidr;
import coop.bulwark.upstream.UpstreamDesk;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This edge's membership of the cluster: holds its node name (a lease), reports it every second, mirrors bans
 * ({@link BanSync}), challenge keys ({@link KeySync}) and operator pins ({@link PinRelay}) through the
 * {@link SharedState}, and keeps the roster of nodes.
 *
 * <p>Never on the request path: everything here runs on one thread of its own ({@code bulwark-cluster}), the store's
 * answers included, and the edge only reads {@link #connected()} and {@link #view()}. When the store does not answer
 * (down, paused, unreachable), the edge goes on with its own state; this says so once in the log and once again when
 * the store is back, then catches up: bans and pins made meanwhile are sent, and everything is sent again to a store
 * that lost its data (a Redis restarted empty is noticed by its epoch key).
 *
 * <p>Thread-safe: the state is confined to the link's executor; the public methods hand work to it.
 */
public final class ClusterLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLink.class);

    /** How often the node reports, renews its lease and checks the store. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(1);

    /** How often the ban list is checked for changes to send (one volatile read when there are none). */
    public static final Duration BAN_POLL = Duration.ofMillis(50);

    /** A node whose latest report is older than this is shown stale. */
    public static final Duration STALE_AFTER = Duration.ofSeconds(10);

    /** How long a node report stays in the store after the node stops reporting (shown stale meanwhile). */
    static final Duration REPORT_TTL = Duration.ofMinutes(5);

    /** How long the start waits for the store before serving on local state. */
    static final Duration START_WAIT = Duration.ofSeconds(3);

    private final SharedState store;
    private final LocalNode self;
    private final String redis;
    private final InstantSource clock;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final String instance;
    private final BanSync bans;
    private final KeySync keys;
    private final PinRelay pins;
    private final TrafficRelay traffic;
    private final AttackRelay attacks;
    private final UpstreamLease upstream;
    private volatile boolean connected;
    private volatile Instant since;
    private volatile List<NodeReport> others = List.of();
    private volatile boolean closed;
    private String knownEpoch;
    /**
     * Messages that arrived while a resync's snapshot was being read, applied after its reconcile: applied before it,
     * a ban another edge sent after the snapshot was read would be taken for one lifted meanwhile and dropped again.
     */
    private List<ClusterMessage> heldDuringResync;

    private boolean busy;
    private boolean conflict;

    private ClusterLink(
            SharedState store,
            LocalNode self,
            String redis,
            BanList banList,
            ChallengeKeys challengeKeys,
            InstantSource clock,
            Executor executor,
            ScheduledExecutorService scheduler) {
        this.store = store;
        this.self = self;
        this.redis = redis;
        this.clock = clock;
        this.executor = executor;
        this.scheduler = scheduler;
        byte[] id = new byte[8];
        new SecureRandom().nextBytes(id);
        this.instance = HexFormat.of().formatHex(id);
        this.since = clock.instant();
        this.bans = new BanSync(this, banList, clock);
        this.keys = challengeKeys == null ? null : new KeySync(this, challengeKeys, clock);
        this.pins = new PinRelay(this, clock);
        this.traffic = new TrafficRelay(this, clock);
        this.attacks = new AttackRelay(this);
        this.upstream = new UpstreamLease(this, clock);
        store.listen(m -> executor.execute(() -> received(m)));
    }

    /**
     * Joins the cluster: connects (waiting up to {@link #START_WAIT}; an unreachable store is logged and the edge starts
     * on local state), takes the node's name, takes the cluster's bans, pins and challenge key, then keeps all of it in
     * step on a thread of its own.
     *
     * @param challengeKeys the challenge's keys, or null to leave them to each edge
     * @throws IOException when another running edge holds this node's name (its lease did not lapse within
     *     {@link LocalNode#lease()}); the message says what to change
     */
    public static ClusterLink start(
            SharedState store,
            LocalNode self,
            String redis,
            BanList banList,
            ChallengeKeys challengeKeys,
            InstantSource clock)
            throws IOException {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bulwark-cluster");
            t.setDaemon(true);
            return t;
        });
        ClusterLink link = new ClusterLink(store, self, redis, banList, challengeKeys, clock, scheduler, scheduler);
        try {
            link.join();
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        }
        scheduler.scheduleWithFixedDelay(link::tick, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(
                link::pollBans, BAN_POLL.toMillis(), BAN_POLL.toMillis(), TimeUnit.MILLISECONDS);
        long every = TrafficRelay.EVERY.toMillis();
        scheduler.scheduleWithFixedDelay(link::pollTraffic, every, every, TimeUnit.MILLISECONDS);
        return link;
    }

    /**
     * A link driven by hand (tests): {@code executor} runs its work (a direct executor makes every step synchronous with
     * the in-memory store), and the caller calls {@link #tick()} and {@link #pollBans()} instead of a scheduler.
     */
    static ClusterLink manual(
            SharedState store,
            LocalNode self,
            BanList banList,
            ChallengeKeys challengeKeys,
            InstantSource clock,
            Executor executor) {
        return new ClusterLink(store, self, "memory", banList, challengeKeys, clock, executor, null);
    }

    /** The blocking part of the start: connect, claim the name, first sync (on the link's thread). */
    void join() throws IOException {
        try {
            wait(store.connect());
        } catch (IOException e) {
            LOG.warn(
                    "cluster: Redis at {} does not answer ({}): serving on local state; joining when it answers",
                    redis,
                    e.getMessage());
            return;
        }
        // Real time, not the injected clock: this is how long a person starting the edge waits (a fake clock in a test
        // would never let the wait end).
        long deadline = System.nanoTime() + self.lease().plusSeconds(1).toNanos();
        while (true) {
            Optional<String> holder = wait(store.claimNode(self.node(), instance, self.lease()));
            if (holder.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("cluster.node " + self.node() + " is in use by another running edge (instance "
                        + holder.get() + "); give each edge its own cluster.node, or stop the other one (its name is"
                        + " free " + self.lease().toSeconds() + " s after it stops)");
            }
            // A crashed predecessor of this edge holds the name until its lease lapses: wait that long, no longer.
            pause(Duration.ofMillis(250));
        }
        var first = new CompletableFuture<Void>();
        executor.execute(() -> resync(() -> first.complete(null)));
        try {
            first.get(START_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cluster: first sync with Redis at {} not done yet; going on in the background", redis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(Duration d) throws IOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the cluster", e);
        }
    }

    private <T> T wait(CompletionStage<T> stage) throws IOException {
        try {
            return stage.toCompletableFuture().get(START_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no answer within " + START_WAIT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    String node() {
        return self.node();
    }

    String instance() {
        return instance;
    }

    SharedState store() {
        return store;
    }

    /** Whether the store answers now (the {@code bulwark_cluster_connected} gauge). */
    public boolean connected() {
        return connected;
    }

    /** Whether another running edge took this node's name (this edge then shares nothing). */
    public boolean conflict() {
        return conflict;
    }

    /**
     * Runs {@code onDone} with the stage's value on the link's thread; a failure runs {@code onFail} and marks the store
     * unreachable (logged once).
     */
    <T> void call(CompletionStage<T> stage, Consumer<T> onDone, Runnable onFail) {
        stage.whenCompleteAsync(
                (v, e) -> {
                    if (e != null) {
                        onFail.run();
                        lost(e);
                    } else {
                        onDone.accept(v);
                    }
                },
                executor);
    }

    private void lost(Throwable e) {
        if (!connected || closed) {
            return;
        }
        connected = false;
        since = clock.instant();
        traffic.lost();
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        LOG.warn(
                "cluster: lost Redis at {} ({}): serving on local state; bans, pins and keys made meanwhile are shared"
                        + " when it is back",
                redis,
                cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
    }

    /** Once a second on the link's thread: rejoin when away, else report and check that the store kept its data. */
    void tick() {
        if (busy || closed) {
            return;
        }
        busy = true;
        if (!connected) {
            store.connect()
                    .thenCompose(v -> store.ping())
                    .whenCompleteAsync(
                            (v, e) -> {
                                if (e != null) {
                                    busy = false;
                                    if (keys != null) {
                                        keys.tick(); // rotates alone when due
                                    }
                                } else {
                                    resync(() -> busy = false);
                                }
                            },
                            executor);
            return;
        }
        call(
                store.epoch(newEpoch()),
                epoch -> {
                    if (!epoch.equals(knownEpoch)) {
                        resync(() -> busy = false); // the store lost its data: resync says so and sends it all again
                        return;
                    }
                    heartbeat();
                },
                () -> busy = false);
    }

    private void heartbeat() {
        NodeReport report = report();
        call(
                store.claimNode(self.node(), instance, self.lease())
                        .thenCompose(holder -> holder.isPresent()
                                ? CompletableFuture.completedFuture(holder)
                                : store.report(report, REPORT_TTL).thenApply(v -> holder))
                        .thenCompose(holder -> store.nodes().thenApply(n -> new Beat(holder, n))),
                beat -> {
                    busy = false;
                    if (beat.holder().isPresent()) {
                        taken(beat.holder().get());
                        return;
                    }
                    roster(beat.nodes());
                    if (keys != null) {
                        keys.tick();
                    }
                },
                () -> busy = false);
    }

    private record Beat(Optional<String> holder, List<NodeReport> nodes) {}

    private void taken(String holder) {
        if (!conflict) {
            LOG.error(
                    "cluster: cluster.node {} is now held by another running edge (instance {}): this edge stops"
                            + " sharing until the name is free; give each edge its own cluster.node",
                    self.node(),
                    holder);
        }
        conflict = true;
        connected = false;
        since = clock.instant();
        traffic.lost();
    }

    private void roster(List<NodeReport> nodes) {
        List<NodeReport> out = new ArrayList<>();
        for (NodeReport r : nodes) {
            if (!r.name().equals(self.node())) {
                out.add(r);
            }
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        others = List.copyOf(out);
    }

    private NodeReport report() {
        return new NodeReport(
                self.node(),
                instance,
                self.address().get(),
                self.version(),
                self.generation().getAsLong(),
                clock.instant());
    }

    private static String newEpoch() {
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * (Re)joins: checks the store's epoch and the node's lease, then reconciles bans, pins and the challenge key, then
     * declares the store connected. {@code done} runs on the link's thread either way, after the key is adopted.
     */
    private void resync(Runnable done) {
        if (heldDuringResync == null) {
            heldDuringResync = new ArrayList<>();
        }
        var s = store;
        var work = s.epoch(newEpoch())
                .thenCompose(epoch -> s.claimNode(self.node(), instance, self.lease())
                        .thenCompose(holder -> s.bans()
                                .thenCompose(b -> s.lifted()
                                        .thenCompose(l -> s.pins()
                                                .thenCompose(p -> s.report(report(), REPORT_TTL)
                                                        .thenCompose(v -> s.nodes())
                                                        .thenApply(n -> new Snapshot(epoch, holder, b, l, p, n)))))));
        work.whenCompleteAsync(
                (snap, e) -> {
                    CompletableFuture<Void> keysAdopted = null;
                    try {
                        if (e != null) {
                            lost(e);
                            return;
                        }
                        if (snap.holder().isPresent()) {
                            taken(snap.holder().get());
                            return;
                        }
                        boolean storeLost = knownEpoch != null && !knownEpoch.equals(snap.epoch());
                        boolean wasAway = knownEpoch != null;
                        knownEpoch = snap.epoch();
                        conflict = false;
                        connected = true;
                        since = clock.instant();
                        bans.reconcile(snap.bans(), snap.lifted(), storeLost);
                        pins.reconcile(snap.pins(), storeLost);
                        roster(snap.nodes());
                        if (keys != null) {
                            keysAdopted = keys.resync();
                        }
                        if (storeLost) {
                            LOG.warn(
                                    "cluster: Redis at {} lost its data (restarted empty?): this edge's bans, pins and"
                                            + " challenge key sent again as node {} ({} other nodes)",
                                    redis,
                                    self.node(),
                                    others.size());
                        } else {
                            LOG.info(
                                    "cluster: {} Redis at {} as node {} ({} other nodes, {} shared bans)",
                                    wasAway ? "back on" : "joined",
                                    redis,
                                    self.node(),
                                    others.size(),
                                    snap.bans().size());
                        }
                    } finally {
                        List<ClusterMessage> held = heldDuringResync;
                        heldDuringResync = null;
                        if (held != null) {
                            held.forEach(this::received);
                        }
                        // Done once the period's challenge key is adopted too (see KeySync#resync).
                        if (keysAdopted != null) {
                            keysAdopted.whenComplete((v, x) -> done.run());
                        } else {
                            done.run();
                        }
                    }
                },
                executor);
    }

    private record Snapshot(
            String epoch,
            Optional<String> holder,
            List<Ban> bans,
            Set<Cidr> lifted,
            List<SharedPin> pins,
            List<NodeReport> nodes) {}

    /** Sends ban changes made here (every {@link #BAN_POLL}, on the link's thread). */
    void pollBans() {
        if (!closed) {
            bans.poll();
        }
    }

    /** Sends this edge's traffic counts and claims its attack (every {@link TrafficRelay#EVERY}, link's thread). */
    void pollTraffic() {
        if (!closed) {
            if (!conflict) {
                traffic.poll();
            }
            attacks.poll();
            upstream.poll();
        }
    }

    /** Lets this node speak for the cluster upstream only while it holds the lease: see {@link UpstreamLease}. */
    public void shareUpstream(UpstreamDesk desk) {
        executor.execute(() -> upstream.attach(desk));
    }

    /** Names attacks and writes their reports as one with the other edges: see {@link AttackRelay}. */
    public void shareAttacks(AttackClaims claims) {
        executor.execute(() -> attacks.attach(claims));
    }

    /**
     * The report of attack {@code id} as its owner stored it (JSON), if any. Blocks for at most a second: for the
     * admin API's thread, never the request path.
     */
    public Optional<String> sharedReport(String id) {
        return connected ? attacks.report(id) : Optional.empty();
    }

    /**
     * Shares detection's counts: this edge's running totals per site ({@code running}, read on the link's thread) go
     * to the other edges every {@link TrafficRelay#EVERY}, and theirs come into {@code peers}.
     */
    public void shareTraffic(Supplier<Map<String, SiteCounts>> running, PeerTraffic peers) {
        executor.execute(() -> traffic.attach(running, peers));
    }

    private void received(ClusterMessage m) {
        if (m.instance().equals(instance) || closed || conflict) {
            return;
        }
        if (heldDuringResync != null) {
            heldDuringResync.add(m);
            return;
        }
        switch (m) {
            case ClusterMessage.BanPut p -> bans.onPut(p.ban());
            case ClusterMessage.BanLifted l -> bans.onLifted(l.subject());
            case ClusterMessage.PinSet p -> pins.onPinned(p.pin());
            case ClusterMessage.PinCleared c -> pins.onReleased(c.site(), c.node());
            case ClusterMessage.KeyMade k -> {
                if (keys != null) {
                    keys.onKeyMade(k.rotationSeconds(), k.epoch());
                }
            }
            case ClusterMessage.Traffic t -> traffic.onTraffic(t);
        }
    }

    /** Applies other edges' operator pins here (the admin's state overrides). */
    public void onPins(PinListener listener) {
        executor.execute(() -> pins.listener(listener));
    }

    /** An operator forced {@code site} into {@code state} here: every edge follows. */
    public void pinned(String site, String state, String reason, Instant expiresAt) {
        SharedPin pin = new SharedPin(site, state, reason, expiresAt, self.node());
        executor.execute(() -> pins.local(site, Optional.of(pin)));
    }

    /** An operator handed {@code site} back to detection here ({@code auto}): every edge follows. */
    public void released(String site) {
        executor.execute(() -> pins.local(site, Optional.empty()));
    }

    /** The cluster as this edge sees it now. */
    public ClusterView view() {
        Instant now = clock.instant();
        List<ClusterView.Node> nodes = new ArrayList<>();
        nodes.add(new ClusterView.Node(
                self.node(),
                self.address().get(),
                now,
                self.version(),
                self.generation().getAsLong(),
                connected,
                false,
                true));
        for (NodeReport r : others) {
            nodes.add(ClusterView.Node.of(r, now, connected));
        }
        return new ClusterView(self.node(), redis, connected, since, nodes, bans.published(), bans.adopted());
    }

    /** Gives the node's name back (so a restart may take it at once) and closes the store. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (connected) {
            try {
                store.releaseNode(self.node(), instance)
                        .thenCompose(v -> store.release(UpstreamLease.NAME, self.node())) // no-op unless held
                        .toCompletableFuture()
                        .get(1, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("cluster: lease not given back ({}); it lapses in {}", e.getMessage(), self.lease());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closed = true;
        connected = false;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        store.close();
    }
}
