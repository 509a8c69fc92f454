package coop.bulwark.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import coop.bulwark.detect.Attack;
import coop.bulwark.detect.AttackTarget;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.HeavyHitter;
import coop.bulwark.detect.HostileSign;
import coop.bulwark.protect.SourceKeys;
import coop.bulwark.report.IncidentReport;
import coop.bulwark.report.MarkdownReport;
import coop.bulwark.report.ReportJson;
import coop.bulwark.report.ReportWriter;
import coop.bulwark.site.WebhookEvent;
import java.util.Locale;

/**
 * The JSON objects shared by webhook bodies and event log lines (docs/reports.md shows them). Stateless.
 */
final class EventBodies {
    private static final int MAX_PREFIXES = 10;

    private EventBodies() {}

    static WebhookEvent kind(DetectionEvent e) {
        return switch (e) {
            case DetectionEvent.StateChanged c -> WebhookEvent.STATE_CHANGED;
            case DetectionEvent.AttackStarted s -> WebhookEvent.ATTACK_STARTED;
            case DetectionEvent.AttackUpdated u -> WebhookEvent.ATTACK_UPDATED;
            case DetectionEvent.AttackEnded x -> WebhookEvent.ATTACK_ENDED;
            case DetectionEvent.UplinkChanged u ->
                u.saturated() ? WebhookEvent.UPLINK_SATURATED : WebhookEvent.UPLINK_RECOVERED;
        };
    }

    /**
     * @param report the attack's final report, for attack_ended; may be null
     * @param files where it is written; may be null
     */
    static ObjectNode of(DetectionEvent e, IncidentReport report, ReportWriter.ReportFiles files) {
        ObjectNode o = ReportJson.mapper().createObjectNode();
        o.put("event", kind(e).key());
        o.put("at", e.at().toString());
        switch (e) {
            case DetectionEvent.StateChanged c -> {
                o.put("site", c.siteName());
                o.put("from", c.from().key());
                o.put("to", c.to().key());
                o.put("policy", c.to().policyKey());
                o.put("reason", c.reason());
                if (c.signals() != null) {
                    o.put("rate_rps", round(c.signals().rateRps()));
                    o.put("baseline_rps", round(c.signals().baselineRps()));
                    ArrayNode signs = o.putArray("hostile_signs");
                    for (HostileSign s : c.signals().hostile()) {
                        signs.add(s.name().toLowerCase(Locale.ROOT));
                    }
                }
            }
            case DetectionEvent.UplinkChanged u -> {
                o.put("state", u.saturated() ? "saturated" : "ok");
                o.put("utilisation", round(u.utilisation()));
                if (Double.isNaN(u.droppedPerSecond())) {
                    o.putNull("dropped_per_second");
                } else {
                    o.put("dropped_per_second", round(u.droppedPerSecond()));
                }
                o.put("reason", u.reason());
            }
            case DetectionEvent.AttackStarted s -> o.set("attack", attack(s.attack()));
            case DetectionEvent.AttackUpdated u -> o.set("attack", attack(u.attack()));
            case DetectionEvent.AttackEnded x -> {
                o.set("attack", attack(x.attack()));
                if (report != null && report.id().equals(x.attack().id())) {
                    ObjectNode r = o.putObject("report");
                    r.put("id", report.id());
                    putNullable(
                            r,
                            "onset",
                            report.onset() == null ? null : report.onset().toString());
                    putNullable(r, "time_to_detect_s", report.timeToDetectS());
                    putNullable(r, "time_to_mitigate_s", report.timeToMitigateS());
                    putNullable(
                            r, "bystander_success_share", report.collateral().successShare());
                    r.put("summary", MarkdownReport.summary(report));
                    if (files != null) {
                        ObjectNode f = r.putObject("files");
                        f.put("json", files.json().toString());
                        f.put("markdown", files.markdown().toString());
                        f.put("html", files.html().toString());
                    }
                }
            }
        }
        return o;
    }

    private static ObjectNode attack(Attack a) {
        ObjectNode o = ReportJson.mapper().createObjectNode();
        o.put("id", a.id());
        o.put("start", a.start().toString());
        putNullable(o, "end", a.end() == null ? null : a.end().toString());
        o.put("ongoing", a.ongoing());
        o.put("peak_rps", round(a.peakRps()));
        ArrayNode targets = o.putArray("targets");
        for (AttackTarget t : a.targets()) {
            ObjectNode n = targets.addObject();
            n.put("name", t.name());
            n.put("since", t.since().toString());
            n.put("peak_rps", round(t.peakRps()));
            n.put("baseline_rps", round(t.baselineRps()));
            n.put("peak_excess_rps", round(t.peakExcessRps()));
        }
        ArrayNode prefixes = o.putArray("top_prefixes");
        for (HeavyHitter h : a.topPrefixes()) {
            if (prefixes.size() == MAX_PREFIXES) {
                break;
            }
            ObjectNode n = prefixes.addObject();
            n.put("prefix", SourceKeys.text(h.key()));
            n.put("count", h.count());
        }
        return o;
    }

    private static void putNullable(ObjectNode o, String name, Object value) {
        switch (value) {
            case null -> o.putNull(name);
            case String s -> o.put(name, s);
            case Double d -> o.put(name, d);
            default -> o.put(name, value.toString());
        }
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : 0;
    }
}
