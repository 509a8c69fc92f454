package coop.bulwark.incident;

import coop.bulwark.detect.AttackClaims;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.Detector;
import coop.bulwark.detect.GlobalSignals;
import coop.bulwark.detect.PeerTraffic;
import coop.bulwark.detect.RecorderSource;
import coop.bulwark.detect.SiteCounts;
import coop.bulwark.detect.SiteState;
import coop.bulwark.detect.TrafficAccounting;
import coop.bulwark.detect.TrafficRecorder;
import coop.bulwark.detect.TrafficSecond;
import coop.bulwark.detect.UplinkMeter;
import coop.bulwark.detect.UplinkState;
import coop.bulwark.kernel.KernelStatus;
import coop.bulwark.origin.Origin;
import coop.bulwark.protect.Ban;
import coop.bulwark.proxy.EdgeSnapshot;
import coop.bulwark.proxy.Site;
import coop.bulwark.site.DetectionSettings;
import coop.bulwark.site.ProtectionState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs detection for a live edge: the event loops record every request into {@link TrafficAccounting}; once a
 * second a dedicated thread ticks the {@link Detector}, applies its verdicts to the sites' protection state
 * (unless an operator has pinned it) and hands the tick to the listeners (incident reports, webhooks, the lab).
 *
 * <p>Thread-safety: {@link #recorder} is called on event loops and reads one volatile field; everything else
 * (detector, settings, reconfiguration) is confined to the tick thread, which {@link #reconfigure} posts to.
 */
public final class DetectionLoop implements RecorderSource, AutoCloseable {
    /** What a tick produced, for whoever reports on it. Called on the tick thread: must not block. */
    public interface Listener {
        void onTick(Instant now, TrafficSecond traffic, GlobalSignals global, List<DetectionEvent> events);
    }

    private static final Logger LOG = LoggerFactory.getLogger("bulwark.detect");
    /** Site indexes are accounted in blocks of this many, so adding a few sites rarely rebuilds the accounting. */
    private static final int SITE_BLOCK = 64;

    /** The site indexes detection accounts for sites up to {@code maxIndex} (-1: none): whole blocks of 64. */
    public static int accountedSites(int maxIndex) {
        return Math.max(SITE_BLOCK, (maxIndex / SITE_BLOCK + 1) * SITE_BLOCK);
    }

    private final Clock clock;
    /** Set once by {@link #start}, before the tick thread first reads it. */
    private Supplier<EdgeSnapshot> snapshots;

    private final int eventLoops;
    private final long seed = new SecureRandom().nextLong();
    private final ScheduledExecutorService thread;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Null while detection is off. */
    private volatile TrafficAccounting accounting;

    /** The site names by index of {@link #accounting}, for {@link #running} (read on the cluster's thread). */
    private volatile List<String> accountedNames = List.of();

    /** The other edges' traffic in a cluster (stays empty on a single box). */
    private final PeerTraffic peers = new PeerTraffic();

    /** The cluster's attack ids; null on a single box. */
    private volatile AttackClaims claims;

    private volatile Detector detector;
    /** Reports, event log and webhooks; null until detection is first on. */
    private volatile IncidentDesk desk;

    private DetectionSettings settings;
    /** The edge-wide signals of the latest tick, for metrics (read from other threads). */
    private volatile GlobalSignals lastGlobal;

    private String[] reasons = new String[0];

    /** The edge-wide uplink state; null while detection.uplink is not configured. */
    private volatile UplinkState uplinkState;

    /** The kernel export's status, for the kernel's drops in incident reports. */
    private volatile Supplier<KernelStatus> kernel = () -> KernelStatus.OFF;

    public DetectionLoop(Clock clock, int eventLoops) {
        this.clock = clock;
        this.eventLoops = eventLoops;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bulwark-detect");
            t.setDaemon(true);
            return t;
        });
    }

    /** Applies the first snapshot and starts ticking once a second. */
    public void start(Supplier<EdgeSnapshot> snapshots) {
        this.snapshots = snapshots;
        thread.execute(() -> apply(snapshots.get()));
        thread.scheduleAtFixedRate(this::tick, 1000, 1000, TimeUnit.MILLISECONDS);
    }

    /** The recorder for event loop {@code loop} when detection is on and covers {@code site}; else null. */
    @Override
    public TrafficRecorder recorder(int loop, int site) {
        TrafficAccounting a = accounting;
        return a == null || site >= a.sites() ? null : a.recorder(loop);
    }

    /** Where the cluster relays the other edges' traffic: every tick adds it to this edge's own. */
    public PeerTraffic peers() {
        return peers;
    }

    /**
     * This edge's running totals per site name since its accounting was built (empty while detection is off): what the
     * cluster sends the other edges as deltas. Thread-safe, non-blocking; sites without traffic are left out.
     */
    public Map<String, SiteCounts> running() {
        TrafficAccounting a = accounting;
        List<String> names = accountedNames;
        if (a == null || names.size() != a.sites()) {
            return Map.of();
        }
        List<SiteCounts> totals = a.running();
        Map<String, SiteCounts> out = new HashMap<>();
        for (int i = 0; i < totals.size(); i++) {
            if (!names.get(i).isEmpty() && !totals.get(i).isZero()) {
                out.put(names.get(i), totals.get(i));
            }
        }
        return out;
    }

    /**
     * Names attacks and writes their reports as one with the other edges of the cluster (set once, when the edge joins
     * its cluster): see {@link AttackClaims}.
     */
    public void claims(AttackClaims c) {
        thread.execute(() -> {
            claims = c;
            Detector d = detector;
            if (d != null) {
                d.claims(c);
            }
        });
    }

    /** The cluster's attack ids: empty on a single box. */
    public Optional<AttackClaims> claims() {
        return Optional.ofNullable(claims);
    }

    /** Where incident reports read the kernel export's drops from (set once at start). */
    public void kernelStatus(Supplier<KernelStatus> status) {
        this.kernel = Objects.requireNonNull(status, "status");
    }

    /** Subscribes to ticks (from the next one on). */
    public void addListener(Listener l) {
        listeners.add(Objects.requireNonNull(l, "l"));
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    /** The edge-wide signals of the latest tick (total rate and its baseline, uplink, origin saturation). */
    public Optional<GlobalSignals> global() {
        return Optional.ofNullable(lastGlobal);
    }

    /** The uplink's state ({@code ok | saturated}) at the latest tick: empty when detection.uplink is not set. */
    public Optional<UplinkState.View> uplink() {
        UplinkState u = uplinkState;
        return u == null ? Optional.empty() : Optional.of(u.view());
    }

    /** Reports, event log and webhooks: empty until detection has been on. */
    public Optional<IncidentDesk> incidents() {
        return Optional.ofNullable(desk);
    }

    /** An automatic ban from the request path, for the open attack's report. Non-blocking. */
    public void banned(String site, Ban ban) {
        IncidentDesk k = desk;
        if (k != null) {
            k.banned(site, ban);
        }
    }

    /** Applies a new snapshot's sites and detection settings (asynchronously, on the tick thread). */
    public void reconfigure(EdgeSnapshot snap) {
        thread.execute(() -> apply(snap));
    }

    private void apply(EdgeSnapshot snap) {
        try {
            DetectionSettings next = snap.config().detection();
            if (!next.enabled()) {
                if (accounting != null) {
                    LOG.info("detection off");
                }
                accounting = null;
                accountedNames = List.of();
                detector = null;
                settings = next;
                return;
            }
            int maxIndex = -1;
            for (Site s : snap.sites()) {
                maxIndex = Math.max(maxIndex, s.guard().index());
            }
            int needed = accountedSites(maxIndex);
            TrafficAccounting a = accounting;
            if (a == null || a.sites() < needed) {
                a = new TrafficAccounting(needed, eventLoops, seed);
            }
            String[] names = new String[a.sites()];
            Arrays.fill(names, "");
            for (Site s : snap.sites()) {
                names[s.guard().index()] = s.name();
            }
            UplinkMeter uplink = next.uplink()
                    .map(u -> UplinkMeter.forInterface(u.iface(), u.capacityBitsPerSecond()))
                    .orElse(null);
            next.uplink()
                    .filter(u -> !Files.isDirectory(Path.of("/sys/class/net", u.iface())))
                    .ifPresent(u -> LOG.warn(
                            "detection.uplink.interface {}: no such network interface here (/sys/class/net/{});"
                                    + " uplink utilisation stays unknown",
                            u.iface(),
                            u.iface()));
            UplinkState us = uplinkState;
            if (next.uplink().isEmpty()) {
                uplinkState = null;
            } else if (us == null) {
                uplinkState = new UplinkState(next.uplink().get(), clock.instant());
            } else {
                us.retune(next.uplink().get());
            }
            Detector d = detector;
            Detector fresh = d == null
                    ? new Detector(next.thresholds(), a, List.of(names), uplink, () -> originSaturation(snapshots))
                    : Detector.carryOver(
                            d, next.thresholds(), a, List.of(names), uplink, () -> originSaturation(snapshots));
            if (reasons.length < names.length) {
                reasons = Arrays.copyOf(reasons, names.length);
            }
            boolean first = settings == null || !settings.enabled();
            if (desk == null) {
                desk = new IncidentDesk(next, List.of(names), () -> kernel.get(), () -> claims);
            } else {
                desk.reconfigure(next, List.of(names));
            }
            fresh.peers(peers);
            fresh.claims(claims);
            detector = fresh;
            accountedNames = List.of(names);
            accounting = a;
            settings = next;
            if (first) {
                LOG.info(
                        "detection on: {} site indexes, warm-up {}",
                        a.sites(),
                        next.thresholds().warmup());
            }
        } catch (RuntimeException e) {
            LOG.error("detection: cannot apply config generation {}: {}", snap.generation(), e.toString());
        }
    }

    /** The busiest origin's share of its slots in use, 0-1 (NaN with no origins). */
    private static double originSaturation(Supplier<EdgeSnapshot> snapshots) {
        double max = Double.NaN;
        for (Origin o : snapshots.get().originsByAddress().values()) {
            var c = o.capacity();
            if (c != null && c.capacity() > 0) {
                double share = (double) c.inFlight() / c.capacity();
                max = Double.isNaN(max) ? share : Math.max(max, share);
            }
        }
        return max;
    }

    private void tick() {
        Detector d = detector;
        if (d == null) {
            return;
        }
        try {
            Instant now = clock.instant();
            List<DetectionEvent> events = new ArrayList<>(d.tick(now));
            EdgeSnapshot snap = snapshots.get();
            for (DetectionEvent e : events) {
                if (e instanceof DetectionEvent.StateChanged c) {
                    reasons[c.site()] = "detection: " + c.to().key() + ": " + c.reason();
                }
            }
            applyStates(d, snap, now);
            TrafficSecond traffic = d.lastTraffic().orElseThrow();
            GlobalSignals global = d.globalSignals().orElseThrow();
            lastGlobal = global;
            UplinkState us = uplinkState;
            if (us != null) {
                DetectionEvent.UplinkChanged change =
                        us.step(now, traffic.seconds(), global.uplinkUtilisation(), global.uplinkDroppedPerSecond());
                if (change != null) {
                    events.add(change);
                    LOG.warn("uplink {}: {}", change.saturated() ? "saturated" : "ok", change.reason());
                }
            }
            IncidentDesk k = desk;
            if (k != null) {
                try {
                    k.onTick(now, traffic, global, events);
                } catch (RuntimeException e) {
                    LOG.error("incident reports: tick failed", e);
                }
            }
            for (Listener l : listeners) {
                try {
                    l.onTick(now, traffic, global, events);
                } catch (RuntimeException e) {
                    LOG.error("detection listener {} failed", l, e);
                }
            }
        } catch (RuntimeException e) {
            // Never let one bad tick stop the schedule (an exception would cancel it for good).
            LOG.error("detection tick failed", e);
        }
    }

    /**
     * Brings every site's protection state in line with its detector: not only on transitions, so a site whose
     * operator override lapsed mid-attack takes the detector's state at the next tick.
     */
    private void applyStates(Detector d, EdgeSnapshot snap, Instant now) {
        for (Site s : snap.sites()) {
            int i = s.guard().index();
            if (i >= d.sites() || !d.siteName(i).equals(s.name())) {
                continue; // a site added since the last reconfigure: covered from the next one
            }
            SiteState st = d.state(i);
            ProtectionState want = ProtectionState.fromKey(st.policyKey());
            String reason = reasons[i] != null ? reasons[i] : "detection: " + st.key();
            s.guard().detected(want, reason, now);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IncidentDesk k = desk;
        if (k != null) {
            k.close();
        }
    }
}
