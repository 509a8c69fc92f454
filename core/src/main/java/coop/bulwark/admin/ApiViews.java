package coop.bulwark.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import coop.bulwark.protect.Ban;
import coop.bulwark.report.IncidentReport;
import coop.bulwark.report.ReportWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON bodies of the admin API (docs/admin-api.md), as records; field names become snake_case. Times are ISO-8601
 * UTC strings, null when absent. These shapes are the contract the CLI and the dashboard read: add fields, do not
 * rename them.
 */
final class ApiViews {
    private ApiViews() {}

    /**
     * {@code GET /api/status}.
     *
     * @param transport the event loops' socket transport ({@code io_uring}, {@code epoll} or {@code nio})
     */
    record Status(
            String version,
            String transport,
            String startedAt,
            long uptimeSeconds,
            long configGeneration,
            String configFile,
            int sites,
            Totals totals,
            CacheTotals cache,
            KernelView kernel,
            UplinkView uplink,
            ClusterSummary cluster) {}

    /**
     * The cluster in {@code GET /api/status}; null on a single box.
     *
     * @param connected whether the cluster's Redis answers now (else this edge serves on its own state)
     * @param since when {@code connected} last changed
     * @param nodes nodes known, this one included
     * @param stale nodes that have not reported for 10 s
     */
    record ClusterSummary(String node, boolean connected, String since, int nodes, int stale) {}

    /**
     * {@code GET /api/cluster}.
     *
     * @param enabled whether this edge is in a cluster ({@code cluster:}); when not, the rest is empty
     * @param redis where the cluster's Redis is (never its password)
     * @param bansPublished bans this edge sent to the cluster since start
     * @param bansAdopted bans this edge took from other edges since start
     * @param detectionPeers the other edges whose traffic counts this edge's detection adds to its own now (heard
     *     from within 2 s): its per-site rates are the cluster's
     */
    record ClusterList(
            boolean enabled,
            String node,
            String redis,
            boolean connected,
            String since,
            List<NodeView> nodes,
            long bansPublished,
            long bansAdopted,
            List<String> detectionPeers) {}

    /**
     * One node of the cluster.
     *
     * @param lastSeen its latest report (this edge: now)
     * @param connected whether it reports to Redis now
     * @param stale whether its latest report is older than 10 s
     * @param self whether it is the edge answering
     */
    record NodeView(
            String name,
            String address,
            String lastSeen,
            String version,
            long configGeneration,
            boolean connected,
            boolean stale,
            boolean self) {}

    /**
     * The nftables export of the ban list ({@code kernel.nftables}).
     *
     * @param active whether the table is in place and following the bans
     * @param lastError the latest failure, null when in sync
     */
    record KernelView(
            boolean enabled,
            boolean active,
            String table,
            String hook,
            int elements,
            long drops,
            long syncFailures,
            int skippedProtected,
            String lastError) {}

    /**
     * The edge-wide uplink state; null in {@link Status} when detection.uplink is not configured.
     *
     * @param state {@code ok} or {@code saturated}
     * @param since when it entered that state (or when measuring began)
     * @param utilisation the busier direction's share of the capacity at the latest tick, null when unknown
     * @param droppedPerSecond receive drops per second at the latest tick, null when unknown
     */
    record UplinkView(
            String state,
            String since,
            @JsonProperty("interface") String iface,
            long capacityBitsPerSecond,
            Double utilisation,
            Double droppedPerSecond) {}

    /** Edge-wide counts. */
    record Totals(
            long requests,
            double requestsPerSecond,
            Map<String, Long> verdicts,
            int openConnections,
            int inFlight,
            int bansActive,
            int sitesUnderAttack) {}

    /** The edge-wide micro-cache (null in {@link Status} when the cache is off). */
    record CacheTotals(long hits, long staleHits, long misses, long entries, long bytes) {}

    /** {@code GET /api/sites} and {@code /api/sites/{name}}. */
    record SiteView(
            String name,
            List<String> hosts,
            String state,
            String stateReason,
            String stateSince,
            String stateExpiresAt,
            String configuredState,
            double requestsPerSecond,
            Map<String, Double> rates,
            Map<String, Long> verdicts,
            Map<String, Long> responses,
            Bulkhead bulkhead,
            Map<String, Long> cache,
            OriginLatency originLatency,
            List<OriginLimit> origins) {}

    /**
     * One origin of a site and its concurrency limit now: {@code origin_capacity} when set ({@code learned} false), or
     * the limit learned from its answers; shared with the other sites on that origin.
     *
     * @param baseMillis the no-load answer time a learned limit is judged against; null when not learned or not known
     * @param bustersInFlight the slots held by requests whose query looks like cache busting, at most a quarter of the limit
     */
    record OriginLimit(
            String address,
            int limit,
            boolean learned,
            Double baseMillis,
            int inFlight,
            int bustersInFlight,
            int waiting,
            boolean up) {}

    /**
     * Origin responses timed since start and the sum of their latencies: the mean over an interval is the difference of
     * the sums divided by the difference of the counts (what the dashboard charts).
     */
    record OriginLatency(long count, double totalSeconds) {}

    /** A site's origin slots now. */
    record Bulkhead(int inFlight, int maxConcurrent, int queue, long rejected) {}

    /** {@code GET /api/sites}. */
    record SiteList(List<SiteView> sites) {}

    /** One ban; {@code node}: in a cluster, the edge that made it when not this one (null when made here). */
    record BanView(String subject, String origin, String reason, String expiresAt, int strikes, String node) {
        static BanView of(Ban b) {
            return new BanView(
                    b.subject().toString(),
                    b.origin().name().toLowerCase(Locale.ROOT),
                    b.reason(),
                    b.expiresAt() == null ? null : b.expiresAt().toString(),
                    b.strikes(),
                    b.node());
        }
    }

    /** {@code GET /api/bans}. */
    record BanList(List<BanView> bans) {}

    /** {@code DELETE /api/bans}. */
    record Unbanned(String unbanned) {}

    /**
     * {@code GET /api/attacks}: the open attack first, then past ones, newest first.
     *
     * @param detection whether detection is on (when off, no attack is ever listed)
     * @param languages the languages reports are written in ({@code reports.languages}), the default first; any
     *     language Bulwark has can still be asked for with {@code lang}
     */
    record AttackList(List<AttackSummary> attacks, boolean detection, List<String> languages) {}

    /**
     * One attack in a list.
     *
     * @param status {@code ongoing} or {@code ended}
     * @param start ISO-8601 UTC, like every time in this API (a bare {@code Instant} has no serializer here)
     * @param end ISO-8601 UTC, null while the attack goes on
     * @param targets the named targets, largest excess first
     * @param report where its report is, in each format (admin API paths)
     */
    record AttackSummary(
            String id,
            String status,
            String start,
            String end,
            List<String> targets,
            double peakRps,
            Map<String, String> report) {
        static AttackSummary of(IncidentReport r) {
            return new AttackSummary(
                    r.id(),
                    r.status() == IncidentReport.Status.ONGOING ? "ongoing" : "ended",
                    text(r.start()),
                    text(r.end()),
                    r.targets().stream().map(IncidentReport.Target::name).toList(),
                    r.peakRps(),
                    links(r.id()));
        }

        static AttackSummary of(ReportWriter.Summary s) {
            return new AttackSummary(
                    s.id(),
                    s.status() == IncidentReport.Status.ONGOING ? "ongoing" : "ended",
                    text(s.start()),
                    text(s.end()),
                    s.targets(),
                    s.peakRps(),
                    links(s.id()));
        }

        private static String text(Instant at) {
            return at == null ? null : at.toString();
        }

        private static Map<String, String> links(String id) {
            String base = "/api/attacks/" + id;
            var m = new LinkedHashMap<String, String>();
            m.put("json", base);
            m.put("markdown", base + "?format=md");
            m.put("html", base + "?format=html");
            return m;
        }
    }

    /** {@code POST /api/reload}. */
    record Reloaded(boolean reloaded, long configGeneration) {}

    /** Every error. */
    record Error(String error) {}
}
