package coop.bulwark.incident;

import coop.bulwark.detect.Attack;
import coop.bulwark.detect.AttackClaims;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.GlobalSignals;
import coop.bulwark.detect.TrafficSecond;
import coop.bulwark.kernel.KernelStatus;
import coop.bulwark.notify.EventLog;
import coop.bulwark.notify.Webhooks;
import coop.bulwark.protect.Ban;
import coop.bulwark.report.IncidentRecorder;
import coop.bulwark.report.IncidentReport;
import coop.bulwark.report.ReportJson;
import coop.bulwark.report.ReportLanguage;
import coop.bulwark.report.ReportWriter;
import coop.bulwark.site.DetectionSettings;
import coop.bulwark.site.WebhookConfig;
import coop.bulwark.site.WebhookEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where detection's ticks become what operators read: the event log (a JSON line per state change and attack
 * event), incident reports (written when an attack starts, every minute while it lasts, and when it ends) and
 * webhooks. Also collects the mitigations applied outside the detector (automatic bans, an operator's forced
 * state or manual ban) so the report can show what was done and when.
 *
 * <p>In a cluster, an attack several edges see is reported by the edge that declared it first ({@link AttackClaims}):
 * only that edge writes report files, and it also hands each version to the cluster's store, where any edge's API reads
 * it, and sends the attack's webhooks. The others keep their own view of it in memory ({@link #current}) and in their
 * event log.
 *
 * <p>Thread-safety: {@link #onTick} runs on the detection thread; {@link #mitigation} and {@link #banned} may be
 * called from any thread (event loops, the admin server) and never block.
 */
public final class IncidentDesk implements DetectionLoop.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentDesk.class);
    /** How often an open attack's report is rewritten, so a file exists and is fresh while it lasts. */
    static final Duration REWRITE_EVERY = Duration.ofSeconds(60);

    /** Automatic bans per site since the last tick, folded into one mitigation line per site and tick. */
    private record BanTally(AtomicLong count, Ban example) {}

    private final Map<String, BanTally> bans = new ConcurrentHashMap<>();
    private volatile IncidentRecorder recorder;
    private volatile ReportWriter writer;
    private volatile Webhooks webhooks;
    private volatile List<WebhookConfig> hooks = List.of();
    private Instant lastWrite;
    private final AtomicLong attacksDeclared = new AtomicLong();
    private volatile boolean attackOn;
    private final KernelDropNotes kernelDrops;
    /** The cluster's attack ids; null on a single box. */
    private final Supplier<AttackClaims> claims;

    /** In a cluster: attack events for the webhooks waiting to know whether this edge reports the attack. */
    private final List<DetectionEvent> held = new ArrayList<>();

    private Instant heldSince;
    static final Duration HOLD_AT_MOST = Duration.ofSeconds(3);

    IncidentDesk(
            DetectionSettings settings,
            List<String> siteNames,
            Supplier<KernelStatus> kernel,
            Supplier<AttackClaims> claims) {
        this.claims = claims;
        kernelDrops = new KernelDropNotes(kernel);
        recorder = new IncidentRecorder(siteNames, settings.thresholds());
        writer = writer(settings);
        hooks = settings.webhooks();
        webhooks = new Webhooks(hooks);
    }

    /** New settings and site names (reload): the open attack carries on; new receivers or directory take over. */
    synchronized void reconfigure(DetectionSettings settings, List<String> siteNames) {
        recorder.setSiteNames(siteNames);
        if (!writer.directory().equals(settings.reportsDir().toAbsolutePath().normalize())
                || !writer.languages().equals(languages(settings))) {
            ReportWriter old = writer;
            writer = writer(settings);
            old.close();
        }
        if (!hooks.equals(settings.webhooks())) {
            Webhooks old = webhooks;
            hooks = settings.webhooks();
            webhooks = new Webhooks(hooks);
            old.close();
        }
    }

    private static ReportWriter writer(DetectionSettings settings) {
        return new ReportWriter(settings.reportsDir(), settings.keepReports(), languages(settings));
    }

    private static List<ReportLanguage> languages(DetectionSettings settings) {
        return settings.reportLanguages().stream().map(ReportLanguage::of).toList();
    }

    /** An automatic ban (from an event loop): counted, reported once per site and tick. */
    void banned(String site, Ban ban) {
        bans.computeIfAbsent(site, s -> new BanTally(new AtomicLong(), ban))
                .count()
                .incrementAndGet();
    }

    /**
     * A mitigation applied outside the detector (thread-safe, non-blocking).
     *
     * @param site the site's name, or null for the whole edge
     * @param kind {@code ban}, {@code unban}, {@code state_forced}, {@code challenge}...
     */
    public void mitigation(Instant at, String site, String kind, String detail) {
        recorder.onMitigation(at, site, kind, detail);
        EventLog.mitigation(at, site, kind, detail);
        WebhookEvent upstream = switch (kind) {
            case "upstream_suggested" -> WebhookEvent.UPSTREAM_SUGGESTED;
            case "upstream_flowspec", "upstream_rtbh" -> WebhookEvent.UPSTREAM_ANNOUNCED;
            case "upstream_withdrawn" -> WebhookEvent.UPSTREAM_WITHDRAWN;
            default -> null;
        };
        if (upstream != null) {
            webhooks.publish(upstream, at, kind, detail == null ? "" : detail);
        }
    }

    @Override
    public synchronized void onTick(
            Instant now, TrafficSecond traffic, GlobalSignals global, List<DetectionEvent> events) {
        drainBans(now);
        if (attackOn) {
            // Before the recorder's tick, so a note at an attack's last tick is folded into that attack's report.
            boolean ending = events.stream().anyMatch(e -> e instanceof DetectionEvent.AttackEnded);
            String note = kernelDrops.due(now, ending);
            if (note != null) {
                mitigation(now, null, KernelDropNotes.KIND, note);
            }
        }
        List<IncidentReport> ended = recorder.onTick(now, traffic, global, events);
        List<DetectionEvent> notEnded = new ArrayList<>();
        for (DetectionEvent e : events) {
            if (e instanceof DetectionEvent.AttackEnded) {
                continue; // logged and sent once its report is written, with the files
            }
            notEnded.add(e);
            if (e instanceof DetectionEvent.AttackStarted) {
                lastWrite = null; // write the first version at once
                attacksDeclared.incrementAndGet();
                kernelDrops.attackStarted(now);
            }
        }
        EventLog.log(notEnded);
        webhooks.publish(forWebhooks(now, notEnded));
        for (DetectionEvent e : events) {
            if (e instanceof DetectionEvent.AttackEnded x) {
                IncidentReport report = ended.stream()
                        .filter(r -> r.id().equals(x.attack().id()))
                        .findFirst()
                        .orElse(null);
                if (report == null) {
                    EventLog.log(x, null, null);
                    webhooks.publish(x, null, null);
                    continue;
                }
                Webhooks hooksNow = webhooks;
                if (ownership(report.id()) == AttackClaims.Ownership.OTHERS) {
                    // The edge that declared it first writes the report and tells the webhooks.
                    EventLog.log(x, report, null);
                    continue;
                }
                submit(report).whenComplete((files, failure) -> {
                    EventLog.log(x, report, files);
                    hooksNow.publish(x, report, files);
                });
            }
        }
        Optional<String> openId = recorder.openId();
        attackOn = openId.isPresent();
        if (openId.isPresent() && (lastWrite == null || !now.isBefore(lastWrite.plus(REWRITE_EVERY)))) {
            // Pending: this edge's claim on the attack is on its way to the store; write once it is known to be ours.
            // The report is built only now, when it is written: building it is the costly part.
            if (ownership(openId.get()) == AttackClaims.Ownership.MINE) {
                lastWrite = now;
                recorder.current().ifPresent(this::submit);
            }
        }
    }

    /**
     * The events for the webhooks: in a cluster, an attack's events go out from the edge that reports it only, so the
     * receivers hear of one attack, not one per edge. While this edge's claim is on its way (a quarter second), its
     * attack events wait (at most {@link #HOLD_AT_MOST}); an edge that declared second drops its own, its start under
     * its own id included. The event log keeps every event of this edge.
     */
    private List<DetectionEvent> forWebhooks(Instant now, List<DetectionEvent> events) {
        if (claims.get() == null) {
            return events;
        }
        List<DetectionEvent> pending = new ArrayList<>(held);
        pending.addAll(events);
        held.clear();
        List<DetectionEvent> out = new ArrayList<>();
        for (DetectionEvent e : pending) {
            Attack a = switch (e) {
                case DetectionEvent.AttackStarted s -> s.attack();
                case DetectionEvent.AttackUpdated u -> u.attack();
                default -> null;
            };
            if (a == null) {
                out.add(e);
                continue;
            }
            // An attack renamed since (another edge named it first) is judged by the name it has now.
            String id = recorder.openIdStartedAt(a.start()).orElse(a.id());
            switch (ownership(id)) {
                case MINE -> out.add(e);
                case OTHERS -> {}
                case PENDING -> {
                    if (heldSince == null) {
                        heldSince = now;
                    }
                    if (now.isBefore(heldSince.plus(HOLD_AT_MOST))) {
                        held.add(e);
                    } else {
                        out.add(e); // no answer from the store in time: this edge speaks for what it saw
                    }
                }
            }
        }
        if (held.isEmpty()) {
            heldSince = null;
        }
        return out;
    }

    private AttackClaims.Ownership ownership(String id) {
        AttackClaims c = claims.get();
        return c == null ? AttackClaims.Ownership.MINE : c.ownership(id);
    }

    /** Writes the report's files and, in a cluster, hands it to the store for the other edges' APIs. */
    private CompletableFuture<ReportWriter.ReportFiles> submit(IncidentReport report) {
        AttackClaims c = claims.get();
        if (c != null) {
            c.shareReport(report.id(), ReportJson.render(report));
        }
        return writer.submit(report);
    }

    private void drainBans(Instant now) {
        for (var it = bans.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            it.remove();
            long n = e.getValue().count().get();
            Ban b = e.getValue().example();
            String until = b.expiresAt() == null ? "" : " until " + b.expiresAt();
            String detail = n == 1
                    ? b.subject() + " banned automatically" + until + ": " + b.reason()
                    : n + " sources banned automatically (e.g. " + b.subject() + until + "): " + b.reason();
            recorder.onMitigation(now, e.getKey(), "ban", detail);
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}: {}", e.getKey(), detail);
            }
        }
    }

    /** Attacks declared since start. */
    public long attacksDeclared() {
        return attacksDeclared.get();
    }

    /** Whether an attack is open at the latest tick. */
    public boolean attackOngoing() {
        return attackOn;
    }

    /** The open attack's report as of the latest tick. */
    public Optional<IncidentReport> current() {
        return recorder.current();
    }

    /** Written reports and the latest ones in memory. */
    public ReportWriter reports() {
        return writer;
    }

    public Webhooks webhooks() {
        return webhooks;
    }

    /** Writes the open attack's report as it stands (shutdown must not lose it), then stops writing and sending. */
    @Override
    public synchronized void close() {
        recorder.current()
                .filter(r -> ownership(r.id()) != AttackClaims.Ownership.OTHERS)
                .ifPresent(writer::submit);
        writer.close();
        webhooks.close();
    }
}
