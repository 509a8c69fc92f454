package coop.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import coop.bulwark.admin.ApiViews.BanView;
import coop.bulwark.admin.ApiViews.SiteView;
import coop.bulwark.cluster.ClusterView;
import coop.bulwark.detect.AttackClaims;
import coop.bulwark.detect.UplinkState;
import coop.bulwark.edge.EdgeServer;
import coop.bulwark.kernel.KernelStatus;
import coop.bulwark.metrics.SiteMeters.CacheLabel;
import coop.bulwark.metrics.SiteMeters.VerdictLabel;
import coop.bulwark.origin.Origin;
import coop.bulwark.protect.Ban;
import coop.bulwark.protect.BanOrigin;
import coop.bulwark.protect.OriginCapacity;
import coop.bulwark.protect.SiteGuard;
import coop.bulwark.proxy.EdgeSnapshot;
import coop.bulwark.proxy.Site;
import coop.bulwark.report.IncidentReport;
import coop.bulwark.report.ReportFormat;
import coop.bulwark.report.ReportJson;
import coop.bulwark.report.ReportLanguage;
import coop.bulwark.report.ReportWriter;
import coop.bulwark.site.BulkheadLimits;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.ProtectionState;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What each endpoint does, without HTTP: reads the running edge into {@link ApiViews} records and applies operator
 * actions. Every action validates its whole input first and changes state only once all of it is valid.
 *
 * <p>Thread-safe: reads go to thread-safe edge state; bans and state changes are serialised by their owners.
 */
final class AdminApi {
    /** Shortest prefixes an operator may ban: anything wider is a typo, not a decision. */
    static final int MIN_V4_PREFIX = 8;

    static final int MIN_V6_PREFIX = 16;
    static final int MAX_REASON_CHARS = 200;

    private final EdgeServer edge;
    private final AdminServer.Reload reload;
    private final SiteRates rates;
    private final StateOverrides overrides;
    private final Clock clock;
    private final Instant startedAt;
    private final String version;

    AdminApi(
            EdgeServer edge,
            AdminServer.Reload reload,
            SiteRates rates,
            StateOverrides overrides,
            Clock clock,
            String version) {
        this.edge = edge;
        this.reload = reload;
        this.rates = rates;
        this.overrides = overrides;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.version = version;
    }

    ApiViews.Status status() {
        EdgeSnapshot snap = edge.snapshot();
        Map<String, Long> verdicts = new LinkedHashMap<>();
        long requests = 0;
        double perSecond = 0;
        int underAttack = 0;
        for (VerdictLabel v : VerdictLabel.values()) {
            verdicts.put(v.label(), 0L);
        }
        for (Site s : snap.sites()) {
            double[] r = rates.rates(s.name());
            for (VerdictLabel v : VerdictLabel.values()) {
                long n = (long) s.meters().count(v);
                verdicts.merge(v.label(), n, Long::sum);
                requests += n;
                perSecond += r[v.ordinal()];
            }
            if (s.guard().state() == ProtectionState.UNDER_ATTACK) {
                underAttack++;
            }
        }
        var cache = edge.cacheStats()
                .map(c -> new ApiViews.CacheTotals(c.hits(), c.staleHits(), c.misses(), c.entries(), c.weightedBytes()))
                .orElse(null);
        return new ApiViews.Status(
                version,
                edge.transportName(),
                startedAt.toString(),
                Duration.between(startedAt, clock.instant()).toSeconds(),
                snap.generation(),
                snap.config().source().toString(),
                snap.sites().size(),
                new ApiViews.Totals(
                        requests,
                        perSecond,
                        verdicts,
                        edge.openConnections(),
                        edge.inFlight(),
                        edge.gatekeeper().bans().list().size(),
                        underAttack),
                cache,
                kernel(edge.kernel().status()),
                uplink(),
                edge.cluster().map(c -> clusterSummary(c.view())).orElse(null));
    }

    private static ApiViews.ClusterSummary clusterSummary(ClusterView v) {
        return new ApiViews.ClusterSummary(
                v.node(), v.connected(), v.since().toString(), v.nodes().size(), (int)
                        v.nodes().stream().filter(ClusterView.Node::stale).count());
    }

    /** The nodes of the cluster as this edge sees them; {@code enabled: false} on a single box. */
    ApiViews.ClusterList cluster() {
        if (edge.cluster().isEmpty()) {
            return new ApiViews.ClusterList(false, null, null, false, null, List.of(), 0, 0, List.of());
        }
        ClusterView v = edge.cluster().get().view();
        List<ApiViews.NodeView> nodes = new ArrayList<>();
        for (ClusterView.Node n : v.nodes()) {
            nodes.add(new ApiViews.NodeView(
                    n.name(),
                    n.address(),
                    n.lastSeen().toString(),
                    n.version(),
                    n.configGeneration(),
                    n.connected(),
                    n.stale(),
                    n.self()));
        }
        return new ApiViews.ClusterList(
                true,
                v.node(),
                v.redis(),
                v.connected(),
                v.since().toString(),
                nodes,
                v.bansPublished(),
                v.bansAdopted(),
                edge.detection().peers().nodes(clock.instant()));
    }

    private static ApiViews.KernelView kernel(KernelStatus k) {
        return new ApiViews.KernelView(
                k.enabled(),
                k.active(),
                k.table(),
                k.hook(),
                k.elements(),
                k.drops(),
                k.syncFailures(),
                k.skippedProtected(),
                k.lastError().orElse(null));
    }

    private ApiViews.UplinkView uplink() {
        var settings = edge.snapshot().config().detection().uplink();
        var state = edge.detection().uplink();
        if (settings.isEmpty() || state.isEmpty()) {
            return null;
        }
        UplinkState.View v = state.get();
        return new ApiViews.UplinkView(
                v.saturated() ? "saturated" : "ok",
                v.since().toString(),
                settings.get().iface(),
                settings.get().capacityBitsPerSecond(),
                Double.isNaN(v.utilisation()) ? null : v.utilisation(),
                Double.isNaN(v.droppedPerSecond()) ? null : v.droppedPerSecond());
    }

    /** An authenticated admin client: kept out of the kernel's ban set. */
    void adminClient(InetAddress source) {
        edge.kernel().protectClient(source);
    }

    ApiViews.SiteList sites() {
        List<SiteView> out = new ArrayList<>();
        for (Site s : edge.snapshot().sites()) {
            out.add(view(s));
        }
        return new ApiViews.SiteList(out);
    }

    SiteView site(String name) throws ApiException {
        return view(find(name));
    }

    private Site find(String name) throws ApiException {
        Site s = edge.snapshot().site(name);
        if (s == null) {
            throw ApiException.notFound("no site named " + name);
        }
        return s;
    }

    private SiteView view(Site s) {
        SiteGuard g = s.guard();
        SiteGuard.StateView state = g.view();
        double[] r = rates.rates(s.name());
        Map<String, Double> rateMap = new LinkedHashMap<>();
        Map<String, Long> verdicts = new LinkedHashMap<>();
        double total = 0;
        for (VerdictLabel v : VerdictLabel.values()) {
            rateMap.put(v.label(), r[v.ordinal()]);
            verdicts.put(v.label(), (long) s.meters().count(v));
            total += r[v.ordinal()];
        }
        Map<String, Long> responses = new LinkedHashMap<>();
        for (int c = 1; c <= 5; c++) {
            responses.put(c + "xx", (long) s.meters().statusClassCount(c));
        }
        Map<String, Long> cache = new LinkedHashMap<>();
        for (CacheLabel l : CacheLabel.values()) {
            cache.put(l.label(), (long) s.meters().count(l));
        }
        BulkheadLimits b = g.budget().limits();
        Instant expires = overrides.expiresAt(s.name());
        return new SiteView(
                s.name(),
                s.config().hosts(),
                state.state().key(),
                state.reason(),
                state.since().toString(),
                expires == null ? null : expires.toString(),
                g.settings().state().key(),
                total,
                rateMap,
                verdicts,
                responses,
                new ApiViews.Bulkhead(
                        g.budget().inFlight(),
                        b.maxConcurrent(),
                        b.queue(),
                        g.budget().rejectedCount()),
                cache,
                new ApiViews.OriginLatency(
                        s.meters().originLatencyCount(), s.meters().originLatencySeconds()),
                originLimits(s));
    }

    private static List<ApiViews.OriginLimit> originLimits(Site s) {
        List<ApiViews.OriginLimit> out = new ArrayList<>(s.origins().size());
        for (Origin o : s.origins()) {
            OriginCapacity c = o.capacity();
            long base = c.baseNanos();
            out.add(new ApiViews.OriginLimit(
                    o.configured().toString(),
                    c.capacity(),
                    c.learning(),
                    base < 0 ? null : base / 1e6,
                    c.inFlight(),
                    c.bustersInFlight(),
                    c.waitingCount(),
                    o.isUp()));
        }
        return out;
    }

    ApiViews.BanList bans() {
        return new ApiViews.BanList(
                edge.gatekeeper().bans().list().stream().map(BanView::of).toList());
    }

    /** {@code {"subject": "IP or PREFIX", "duration": "1h" (optional: until unbanned), "reason": "..."}}. */
    BanView ban(JsonNode body) throws ApiException {
        RequestBody b = RequestBody.of(body, "subject", "duration", "reason");
        Cidr subject = subject(b.required("subject"));
        String durationText = b.optional("duration");
        Duration ttl = null;
        if (durationText != null) {
            ttl = DurationText.parse(durationText);
            if (ttl == null) {
                throw ApiException.badRequest("duration: " + durationText + " (expected: " + DurationText.EXPECTED
                        + ", at most 365d; leave it out for a ban until unbanned)");
            }
        }
        String reason = reason(b.optional("reason"), "manual ban");
        Ban ban = edge.gatekeeper().bans().ban(subject, ttl, reason, BanOrigin.MANUAL);
        mitigation(
                null,
                "ban",
                subject + " banned by an operator" + (ttl == null ? "" : " for " + durationText) + ": " + reason);
        return BanView.of(ban);
    }

    /** Lifts the ban of exactly {@code subjectText}. */
    ApiViews.Unbanned unban(String subjectText) throws ApiException {
        if (subjectText == null || subjectText.isEmpty()) {
            throw ApiException.badRequest("subject: missing (expected: ?subject=IP or PREFIX)");
        }
        Cidr subject = subject(subjectText);
        if (!edge.gatekeeper().bans().unban(subject)) {
            throw ApiException.notFound("no ban of " + subject);
        }
        mitigation(null, "unban", subject + " unbanned by an operator");
        return new ApiViews.Unbanned(subject.toString());
    }

    private static Cidr subject(String text) throws ApiException {
        Cidr c;
        try {
            c = Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("subject: " + e.getMessage());
        }
        int min = c.network().length == 4 ? MIN_V4_PREFIX : MIN_V6_PREFIX;
        if (c.prefixLength() < min) {
            throw ApiException.badRequest(
                    "subject: " + text + " (expected: a prefix of /" + min + " or longer; that would ban too much)");
        }
        return c;
    }

    private static String reason(String text, String fallback) throws ApiException {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        if (text.length() > MAX_REASON_CHARS || text.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("reason: too long or has control characters (expected: one line of at most "
                    + MAX_REASON_CHARS + " characters)");
        }
        return text.strip();
    }

    /**
     * {@code {"state": "under_attack|suspect|normal|auto", "expires_in": "30m" (optional), "reason": "..."}}; {@code
     * auto} drops the operator's override and hands the site back to its configured state and to detection.
     */
    SiteView state(String name, JsonNode body) throws ApiException {
        Site s = find(name);
        RequestBody b = RequestBody.of(body, "state", "expires_in", "reason");
        String stateText = b.required("state");
        ProtectionState state = ProtectionState.fromKey(stateText);
        if (state == null && !"auto".equals(stateText)) {
            throw ApiException.badRequest(
                    "state: " + stateText + " (expected: one of normal, suspect, under_attack, auto)");
        }
        if (state == null) {
            if (b.optional("expires_in") != null) {
                throw ApiException.badRequest("expires_in: not allowed with state auto (auto has no end)");
            }
            overrides.release(s.guard(), reason(b.optional("reason"), StateOverrides.REASON + ": auto"));
            edge.cluster().ifPresent(c -> c.released(s.name()));
            mitigation(s.name(), "state_released", "handed back to detection by an operator");
            return view(s);
        }
        String expiresText = b.optional("expires_in");
        Duration ttl = null;
        if (expiresText != null) {
            ttl = DurationText.parse(expiresText);
            if (ttl == null) {
                throw ApiException.badRequest("expires_in: " + expiresText + " (expected: " + DurationText.EXPECTED
                        + ", at most 365d; leave it out to keep the state until changed)");
            }
        }
        String reason = reason(b.optional("reason"), StateOverrides.REASON);
        overrides.force(s.guard(), state, reason, ttl);
        Instant until = ttl == null ? null : clock.instant().plus(ttl);
        edge.cluster().ifPresent(c -> c.pinned(s.name(), state.key(), reason, until));
        mitigation(
                s.name(),
                "state_forced",
                "set " + state.key() + " by an operator" + (ttl == null ? "" : " for " + expiresText) + ": " + reason);
        return view(s);
    }

    ApiViews.Reloaded reload() throws ApiException {
        boolean ok = reload.reload("admin API");
        long generation = edge.snapshot().generation();
        if (!ok) {
            throw new ApiException(
                    422, "config rejected (every problem is in the log); still serving generation " + generation);
        }
        return new ApiViews.Reloaded(true, generation);
    }

    /** The open attack first (if any), then past ones from the reports, newest first. */
    ApiViews.AttackList attacks() {
        var desk = edge.detection().incidents();
        if (desk.isEmpty()) {
            return new ApiViews.AttackList(List.of(), false, List.of(ReportLanguage.EN.code()));
        }
        List<ApiViews.AttackSummary> out = new ArrayList<>();
        Optional<IncidentReport> open = desk.get().current();
        open.ifPresent(r -> out.add(ApiViews.AttackSummary.of(r)));
        for (ReportWriter.Summary s : desk.get().reports().list()) {
            if (open.isPresent() && open.get().id().equals(s.id())) {
                continue; // the open attack's file is an older version of what is listed first
            }
            out.add(ApiViews.AttackSummary.of(s));
        }
        List<String> languages = desk.get().reports().languages().stream()
                .map(ReportLanguage::code)
                .toList();
        return new ApiViews.AttackList(out, true, languages);
    }

    /**
     * One attack's report: JSON by default; {@code format=md} or {@code format=html} for the operator's report, in
     * {@code lang} (any language Bulwark has; by default the first of {@code reports.languages}). The open attack's
     * report is built from the latest tick.
     */
    Rendered attack(String id, String formatText, String langText) throws ApiException {
        ReportFormat format = switch (formatText == null ? "json" : formatText) {
            case "json" -> ReportFormat.JSON;
            case "md", "markdown" -> ReportFormat.MARKDOWN;
            case "html" -> ReportFormat.HTML;
            default -> throw ApiException.badRequest("format: " + formatText + " (expected: json, md or html)");
        };
        if (id == null || !ReportWriter.ID.matcher(id).matches()) {
            throw ApiException.badRequest("attack id: " + id + " (expected: an id like atk-1764063600-1)");
        }
        if (langText != null && !ReportLanguage.codes().contains(langText)) {
            throw ApiException.badRequest(
                    "lang: " + langText + " (expected: one of " + String.join(", ", ReportLanguage.codes()) + ")");
        }
        var desk = edge.detection().incidents();
        if (desk.isEmpty()) {
            throw ApiException.notFound("no attack " + id + " (detection is off)");
        }
        ReportLanguage lang =
                langText == null ? desk.get().reports().languages().get(0) : ReportLanguage.of(langText);
        // In a cluster, an attack another edge declared first is reported by that edge: its report, from the store.
        boolean othersReport = edge.detection()
                .claims()
                .map(c -> c.ownership(id) == AttackClaims.Ownership.OTHERS)
                .orElse(false);
        Optional<IncidentReport> shared = othersReport ? sharedReport(id) : Optional.empty();
        Optional<IncidentReport> open = shared.or(() -> desk.get().current().filter(r -> r.id().equals(id)));
        if (open.isPresent()) {
            return new Rendered(format.mediaType(), format.render(open.get(), lang));
        }
        Optional<Rendered> local =
                desk.get().reports().readText(id, format, lang).map(text -> new Rendered(format.mediaType(), text));
        if (local.isPresent()) {
            return local.get();
        }
        return sharedReport(id)
                .map(r -> new Rendered(format.mediaType(), format.render(r, lang)))
                .orElseThrow(() -> ApiException.notFound("no attack " + id));
    }

    /** The report another edge of the cluster stored (waits up to a second for the store), if any. */
    private Optional<IncidentReport> sharedReport(String id) {
        return edge.cluster().flatMap(c -> c.sharedReport(id)).flatMap(json -> {
            try {
                return Optional.of(ReportJson.parse(json));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** A report in one format, ready to send. */
    record Rendered(String mediaType, String body) {}

    /** Tells the incident reports (when detection is on) what an operator did. */
    private void mitigation(String site, String kind, String detail) {
        edge.detection().incidents().ifPresent(d -> d.mitigation(clock.instant(), site, kind, detail));
    }

    /** The Prometheus text exposition. */
    String metrics() {
        return edge.metrics().scrape();
    }
}
