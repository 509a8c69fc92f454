package coop.bulwark.report;

import static coop.bulwark.report.ReportText.number;
import static coop.bulwark.report.ReportText.percent;
import static coop.bulwark.report.ReportText.time;

import java.util.List;

/**
 * An incident report as Markdown that an operator can send to members as it is: a summary in plain words, then
 * the timeline, targets, sources, mitigations and their effect, collateral, and the times to detect and mitigate.
 * Text from config or clients is escaped so it cannot inject markup. Stateless.
 */
public final class MarkdownReport {
    private MarkdownReport() {}

    public static String render(IncidentReport r) {
        StringBuilder b = new StringBuilder(8192);
        b.append("# Incident report: attack ").append(md(r.id())).append("\n\n");
        b.append("**Status:** ").append(r.status() == IncidentReport.Status.ENDED ? "ended" : "ongoing");
        b.append(" · **Targets:** ")
                .append(ReportText.list(
                        r.targetNames().stream().map(MarkdownReport::md).toList()));
        b.append(" · **Peak:** ").append(number(r.peakRps())).append(" requests/s");
        b.append(" · **Time to detect:** ").append(ReportText.seconds(r.timeToDetectS()));
        b.append(" · **Time to mitigate:** ")
                .append(ReportText.seconds(r.timeToMitigateS()))
                .append("\n\n");

        b.append("## Summary\n\n")
                .append(ReportText.summary(r, MarkdownReport::md))
                .append("\n\n");

        b.append("## Timeline\n\nAll times UTC, ")
                .append(ReportText.day(r.start()))
                .append(".\n\n");
        b.append("| time | site | event |\n|---|---|---|\n");
        List<ReportText.Row> rows = ReportText.timeline(r);
        for (ReportText.Row row : rows) {
            b.append("| ").append(time(row.at())).append(" | ").append(row.site() == null ? "all" : cell(row.site()));
            b.append(" | ").append(cell(row.what())).append(" |\n");
        }
        if (rows.size() == ReportText.MAX_TIMELINE_ROWS) {
            b.append("\nThe first ").append(rows.size()).append(" events are shown; the JSON report has them all.\n");
        }

        b.append("\n## Targets\n\n");
        b.append("| site | under attack | peak req/s | usual req/s | requests | origin req/s: usual | before mitigation"
                + " | after |\n|---|---|---|---|---|---|---|---|\n");
        for (IncidentReport.Target t : r.targets()) {
            b.append("| ").append(cell(t.name()));
            b.append(" | ")
                    .append(time(t.since()))
                    .append(" – ")
                    .append(t.underAttackUntil() == null ? "…" : time(t.underAttackUntil()));
            b.append(" | ").append(number(t.peakRps()));
            b.append(" | ").append(number(t.baselineRps()));
            b.append(" | ").append(number(t.requests()));
            b.append(" | ").append(number(t.originRpsBaseline()));
            b.append(" | ").append(number(t.originRpsBeforeMitigation()));
            b.append(" | ").append(number(t.originRpsAfterMitigation())).append(" |\n");
        }

        IncidentReport.Signature s = r.signature();
        b.append("\n## Sources\n\n");
        b.append("Up to ")
                .append(number(Math.round(s.distinctSourcesPeak())))
                .append(" distinct source addresses per second. While the targets were under attack they received ")
                .append(number(s.requests()))
                .append(" requests: ")
                .append(ReportText.methods(s.methods()))
                .append("; ")
                .append(percent(s.highEntropyQueryShare()))
                .append(" with a random-looking query string (cache busting); ")
                .append(percent(s.vouchedShare()))
                .append(" from returning visitors or visitors holding a challenge cookie.\n\n");
        if (!r.topPrefixes().isEmpty()) {
            b.append("Heaviest source networks (estimated; a count never under-states):\n\n");
            b.append("| network | requests | share |\n|---|---|---|\n");
            for (IncidentReport.Prefix p : r.topPrefixes()) {
                b.append("| ").append(cell(p.prefix())).append(" | ").append(number(p.count()));
                b.append(" | ").append(percent(p.share())).append(" |\n");
            }
        }
        samples(b, "Most requested paths", "path", s.topPaths());
        samples(b, "Most frequent User-Agents", "User-Agent", s.topUserAgents());

        b.append("\n## Mitigations and their effect\n\n");
        if (r.mitigations().isEmpty()) {
            b.append("No mitigation was recorded.\n");
        } else {
            b.append("| time | site | kind | detail |\n|---|---|---|---|\n");
            for (IncidentReport.Mitigation m : r.mitigations()) {
                b.append("| ").append(time(m.at())).append(" | ").append(m.site() == null ? "all" : cell(m.site()));
                b.append(" | ")
                        .append(cell(m.kind()))
                        .append(" | ")
                        .append(cell(m.detail()))
                        .append(" |\n");
            }
        }
        IncidentReport.Effect e = r.effect();
        b.append("\n").append(ReportText.effect(e)).append("\n");

        IncidentReport.Collateral c = r.collateral();
        b.append("\n## Collateral\n\n");
        b.append("| other sites (").append(c.sites()).append(") | before the attack | during |\n|---|---|---|\n");
        b.append("| requests/s | ")
                .append(number(c.rpsBefore()))
                .append(" | ")
                .append(number(c.rpsDuring()))
                .append(" |\n");
        b.append("| served without error | ")
                .append(percent(c.successShareBefore()))
                .append(" | ")
                .append(percent(c.successShare()))
                .append(" |\n");
        b.append("| mean origin latency | ")
                .append(ms(c.originMillisBefore()))
                .append(" | ")
                .append(ms(c.originMillis()))
                .append(" |\n");
        if (!c.worst().isEmpty()) {
            b.append(
                    "\nThe other sites with the most errors during the attack:\n\n| site | requests | served without error |\n|---|---|---|\n");
            for (IncidentReport.SiteImpact w : c.worst()) {
                b.append("| ")
                        .append(cell(w.name()))
                        .append(" | ")
                        .append(number(w.requests()))
                        .append(" | ")
                        .append(percent(w.successShare()))
                        .append(" |\n");
            }
        }

        b.append("\n## Time to detect and mitigate\n\n");
        b.append("- Onset (first sign): ").append(time(r.onset())).append(" UTC\n");
        b.append("- Detected: ")
                .append(time(r.detectedAt()))
                .append(" UTC, ")
                .append(ReportText.seconds(r.timeToDetectS()))
                .append(" after onset\n");
        b.append("- First mitigation: ");
        if (e.mitigatedAt() == null) {
            b.append("none\n");
        } else {
            b.append(time(e.mitigatedAt()))
                    .append(" UTC, ")
                    .append(ReportText.seconds(r.timeToMitigateS()))
                    .append(" after onset\n");
        }
        b.append("- Ended: ")
                .append(r.end() == null ? "ongoing" : time(r.end()) + " UTC")
                .append("\n");
        IncidentReport.EdgeLoad edge = r.edge();
        b.append("- Whole edge: peak ")
                .append(number(edge.peakTotalRps()))
                .append(" requests/s (usual ")
                .append(number(edge.baselineTotalRps()))
                .append(")");
        if (edge.peakUplinkUtilisation() != null) {
            b.append(", uplink up to ")
                    .append(percent(edge.peakUplinkUtilisation()))
                    .append(" of capacity");
        }
        if (edge.peakOriginSaturation() != null) {
            b.append(", origin saturation up to ").append(percent(edge.peakOriginSaturation()));
        }
        b.append("\n\n---\nGenerated by Bulwark at ")
                .append(r.generatedAt() == null ? "-" : r.generatedAt().toString())
                .append(". Figures per second are averages over one-second ticks; source counts are estimates.\n");
        return b.toString();
    }

    /** The summary paragraph as plain text, not escaped: for JSON bodies and log lines. */
    public static String summary(IncidentReport r) {
        return ReportText.summary(r, s -> s);
    }

    private static String ms(Double v) {
        return v == null ? "-" : number(v) + " ms";
    }

    /** Escapes Markdown and inline HTML in text from config or clients. */
    static String md(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '\n', '\r' -> b.append(' ');
                // An underscore inside a word never starts emphasis (CommonMark), so under_attack stays readable.
                case '_' -> {
                    boolean inWord = i > 0
                            && i + 1 < s.length()
                            && Character.isLetterOrDigit(s.charAt(i - 1))
                            && Character.isLetterOrDigit(s.charAt(i + 1));
                    b.append(inWord ? "_" : "\\_");
                }
                case '\\', '`', '*', '[', ']', '#', '|', '!', '~' ->
                    b.append('\\').append(c);
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static void samples(StringBuilder b, String title, String column, List<IncidentReport.Sample> list) {
        if (list.isEmpty()) {
            return;
        }
        b.append('\n')
                .append(title)
                .append(" (estimated):\n\n| ")
                .append(column)
                .append(" | requests | share |\n");
        b.append("|---|---|---|\n");
        for (IncidentReport.Sample x : list) {
            b.append("| ").append(x.text() == null ? "(not sampled)" : cell(x.text()));
            b.append(" | ")
                    .append(number(x.count()))
                    .append(" | ")
                    .append(percent(x.share()))
                    .append(" |\n");
        }
    }

    private static String cell(String s) {
        return md(s);
    }
}
