package coop.bulwark.report;

import static coop.bulwark.report.ReportText.time;

import java.util.List;

/**
 * An incident report as Markdown that an operator can send to members as it is: a summary in plain words, then
 * the timeline, targets, sources, mitigations and their effect, collateral, and the times to detect and mitigate,
 * in one {@link ReportLanguage}. Text from config or clients is escaped so it cannot inject markup. Stateless.
 */
public final class MarkdownReport {
    private MarkdownReport() {}

    /** The report in English. */
    public static String render(IncidentReport r) {
        return render(r, ReportLanguage.EN);
    }

    public static String render(IncidentReport r, ReportLanguage lang) {
        ReportText t = new ReportText(lang);
        StringBuilder b = new StringBuilder(8192);
        b.append("# ").append(t.say(Phrase.TITLE, md(r.id()))).append("\n\n");
        b.append("**").append(t.say(Phrase.STATUS)).append(":** ");
        b.append(t.say(r.status() == IncidentReport.Status.ENDED ? Phrase.STATUS_ENDED : Phrase.STATUS_ONGOING));
        b.append(" · **").append(t.say(Phrase.TARGETS)).append(":** ");
        b.append(t.list(r.targetNames().stream().map(MarkdownReport::md).toList()));
        b.append(" · **").append(t.say(Phrase.PEAK)).append(":** ");
        b.append(t.say(Phrase.REQUESTS_PER_S, t.number(r.peakRps())));
        b.append(" · **").append(t.say(Phrase.TIME_TO_DETECT)).append(":** ").append(t.seconds(r.timeToDetectS()));
        b.append(" · **").append(t.say(Phrase.TIME_TO_MITIGATE)).append(":** ");
        b.append(t.seconds(r.timeToMitigateS())).append("\n\n");

        b.append("## ").append(t.say(Phrase.H_SUMMARY)).append("\n\n");
        b.append(t.summary(r, MarkdownReport::md)).append("\n\n");

        b.append("## ").append(t.say(Phrase.H_TIMELINE)).append("\n\n");
        b.append(t.say(Phrase.ALL_TIMES_UTC, t.day(r.start()))).append("\n\n");
        header(b, t, Phrase.COL_TIME, Phrase.COL_SITE, Phrase.COL_EVENT);
        List<ReportText.Row> rows = t.timeline(r);
        for (ReportText.Row row : rows) {
            b.append("| ").append(time(row.at())).append(" | ");
            b.append(row.site() == null ? t.say(Phrase.ALL_SITES) : cell(row.site()));
            b.append(" | ").append(cell(row.what())).append(" |\n");
        }
        if (rows.size() == ReportText.MAX_TIMELINE_ROWS) {
            b.append('\n').append(t.say(Phrase.FIRST_EVENTS, rows.size())).append('\n');
        }

        b.append("\n## ").append(t.say(Phrase.H_TARGETS)).append("\n\n");
        header(
                b,
                t,
                Phrase.COL_SITE,
                Phrase.COL_UNDER_ATTACK,
                Phrase.COL_PEAK_RPS,
                Phrase.COL_USUAL_RPS,
                Phrase.COL_REQUESTS,
                Phrase.COL_ORIGIN_USUAL,
                Phrase.COL_BEFORE_MITIGATION,
                Phrase.COL_AFTER);
        for (IncidentReport.Target x : r.targets()) {
            b.append("| ").append(cell(x.name()));
            b.append(" | ")
                    .append(time(x.since()))
                    .append(" – ")
                    .append(x.underAttackUntil() == null ? "…" : time(x.underAttackUntil()));
            b.append(" | ").append(t.number(x.peakRps()));
            b.append(" | ").append(t.number(x.baselineRps()));
            b.append(" | ").append(t.number(x.requests()));
            b.append(" | ").append(t.number(x.originRpsBaseline()));
            b.append(" | ").append(t.number(x.originRpsBeforeMitigation()));
            b.append(" | ").append(t.number(x.originRpsAfterMitigation())).append(" |\n");
        }

        IncidentReport.Signature s = r.signature();
        b.append("\n## ").append(t.say(Phrase.H_SOURCES)).append("\n\n");
        b.append(t.say(
                        Phrase.SOURCES,
                        t.number(Math.round(s.distinctSourcesPeak())),
                        t.number(s.requests()),
                        t.methods(s.methods()),
                        t.percent(s.highEntropyQueryShare()),
                        t.percent(s.vouchedShare())))
                .append("\n\n");
        if (!r.topPrefixes().isEmpty()) {
            b.append(t.say(Phrase.HEAVIEST_NETWORKS)).append("\n\n");
            header(b, t, Phrase.COL_NETWORK, Phrase.COL_REQUESTS, Phrase.COL_SHARE);
            for (IncidentReport.Prefix p : r.topPrefixes()) {
                b.append("| ").append(cell(p.prefix())).append(" | ").append(t.number(p.count()));
                b.append(" | ").append(t.percent(p.share())).append(" |\n");
            }
        }
        samples(b, t, Phrase.TOP_PATHS, t.say(Phrase.COL_PATH), s.topPaths());
        samples(b, t, Phrase.TOP_AGENTS, "User-Agent", s.topUserAgents());

        b.append("\n## ").append(t.say(Phrase.H_MITIGATIONS)).append("\n\n");
        if (r.mitigations().isEmpty()) {
            b.append(t.say(Phrase.NO_MITIGATION)).append('\n');
        } else {
            header(b, t, Phrase.COL_TIME, Phrase.COL_SITE, Phrase.COL_KIND, Phrase.COL_DETAIL);
            for (IncidentReport.Mitigation m : r.mitigations()) {
                b.append("| ").append(time(m.at())).append(" | ");
                b.append(m.site() == null ? t.say(Phrase.ALL_SITES) : cell(m.site()));
                b.append(" | ")
                        .append(cell(m.kind()))
                        .append(" | ")
                        .append(cell(m.detail()))
                        .append(" |\n");
            }
        }
        IncidentReport.Effect e = r.effect();
        b.append("\n").append(t.effect(e)).append("\n");

        IncidentReport.Collateral c = r.collateral();
        b.append("\n## ").append(t.say(Phrase.H_COLLATERAL)).append("\n\n");
        b.append("| ").append(t.say(Phrase.COL_OTHER_SITES, c.sites())).append(" | ");
        b.append(t.say(Phrase.COL_BEFORE_ATTACK)).append(" | ").append(t.say(Phrase.COL_DURING));
        b.append(" |\n|---|---|---|\n");
        row(b, t.say(Phrase.ROW_RPS), t.number(c.rpsBefore()), t.number(c.rpsDuring()));
        row(b, t.say(Phrase.ROW_SERVED), t.percent(c.successShareBefore()), t.percent(c.successShare()));
        row(b, t.say(Phrase.ROW_LATENCY), ms(t, c.originMillisBefore()), ms(t, c.originMillis()));
        if (!c.worst().isEmpty()) {
            b.append('\n').append(t.say(Phrase.WORST)).append("\n\n");
            header(b, t, Phrase.COL_SITE, Phrase.COL_REQUESTS, Phrase.ROW_SERVED);
            for (IncidentReport.SiteImpact w : c.worst()) {
                row(b, cell(w.name()), t.number(w.requests()), t.percent(w.successShare()));
            }
        }

        b.append("\n## ").append(t.say(Phrase.H_TIMES)).append("\n\n");
        b.append("- ").append(t.say(Phrase.ONSET_AT, time(r.onset()))).append('\n');
        b.append("- ")
                .append(t.say(Phrase.DETECTED_AT, time(r.detectedAt()), t.seconds(r.timeToDetectS())))
                .append('\n');
        b.append("- ")
                .append(
                        e.mitigatedAt() == null
                                ? t.say(Phrase.FIRST_MITIGATION_NONE)
                                : t.say(
                                        Phrase.FIRST_MITIGATION_AT,
                                        time(e.mitigatedAt()),
                                        t.seconds(r.timeToMitigateS())))
                .append('\n');
        b.append("- ")
                .append(r.end() == null ? t.say(Phrase.ENDED_ONGOING) : t.say(Phrase.ENDED_AT, time(r.end())))
                .append('\n');
        IncidentReport.EdgeLoad edge = r.edge();
        b.append("- ")
                .append(t.say(Phrase.WHOLE_EDGE, t.number(edge.peakTotalRps()), t.number(edge.baselineTotalRps())));
        if (edge.peakUplinkUtilisation() != null) {
            b.append(t.say(Phrase.UPLINK_UP_TO, t.percent(edge.peakUplinkUtilisation())));
        }
        if (edge.peakOriginSaturation() != null) {
            b.append(t.say(Phrase.ORIGIN_SATURATION, t.percent(edge.peakOriginSaturation())));
        }
        b.append("\n\n---\n")
                .append(t.say(
                        Phrase.FOOTER,
                        r.generatedAt() == null ? "-" : r.generatedAt().toString()))
                .append('\n');
        return b.toString();
    }

    /** The summary paragraph in English as plain text, not escaped: for JSON bodies and log lines. */
    public static String summary(IncidentReport r) {
        return new ReportText(ReportLanguage.EN).summary(r, s -> s);
    }

    private static void header(StringBuilder b, ReportText t, Phrase... columns) {
        for (Phrase c : columns) {
            b.append("| ").append(t.say(c)).append(' ');
        }
        b.append("|\n").append("|---".repeat(columns.length)).append("|\n");
    }

    private static void row(StringBuilder b, String... cells) {
        for (String c : cells) {
            b.append("| ").append(c).append(' ');
        }
        b.append("|\n");
    }

    private static String ms(ReportText t, Double v) {
        return v == null ? "-" : t.number(v) + " ms";
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

    private static void samples(
            StringBuilder b, ReportText t, Phrase title, String column, List<IncidentReport.Sample> list) {
        if (list.isEmpty()) {
            return;
        }
        b.append('\n').append(t.say(title)).append("\n\n| ").append(column).append(" | ");
        b.append(t.say(Phrase.COL_REQUESTS))
                .append(" | ")
                .append(t.say(Phrase.COL_SHARE))
                .append(" |\n");
        b.append("|---|---|---|\n");
        for (IncidentReport.Sample x : list) {
            b.append("| ").append(x.text() == null ? t.say(Phrase.NOT_SAMPLED) : cell(x.text()));
            b.append(" | ")
                    .append(t.number(x.count()))
                    .append(" | ")
                    .append(t.percent(x.share()))
                    .append(" |\n");
        }
    }

    private static String cell(String s) {
        return md(s);
    }
}
