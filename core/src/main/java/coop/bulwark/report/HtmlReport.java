package coop.bulwark.report;

import static coop.bulwark.report.ReportText.time;

import coop.bulwark.html.HtmlText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An incident report as one self-contained HTML page: the same sections as {@link MarkdownReport}, with inline SVG
 * charts of the targets' and the bystanders' series. No script, no external resource; every piece of text is
 * HTML-escaped (site names come from config, reasons and details from operators). Stateless.
 */
public final class HtmlReport {
    private static final String[] COLOURS = {
        "#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#7f7f7f"
    };
    private static final int WIDTH = 900;
    private static final int HEIGHT = 240;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 20;
    private static final int BOTTOM = 30;

    /**
     * The page's only style, the same in every report: nothing else is inline (the chart keys are SVG swatches, not
     * {@code style} attributes), so a page that shows a report under its own policy can allow exactly this block by
     * its hash (the admin dashboard opens reports in Blob-URL tabs, which inherit the dashboard's policy).
     */
    public static final String STYLE =
            "body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:960px;padding:0 1em;color:#222}"
                    + "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;"
                    + "text-align:left;vertical-align:top}th{background:#f2f2f2}.n{text-align:right}"
                    + "svg{max-width:100%;height:auto;border:1px solid #ddd;margin:.5em 0}.key span{margin-right:1.2em}"
                    + ".key svg{border:0;margin:0 .3em 0 0;vertical-align:middle}.meta{color:#555}";

    private HtmlReport() {}

    /** The report in English. */
    public static String render(IncidentReport r) {
        return render(r, ReportLanguage.EN);
    }

    public static String render(IncidentReport r, ReportLanguage lang) {
        ReportText t = new ReportText(lang);
        String title = HtmlText.escape(t.say(Phrase.TITLE, r.id()));
        StringBuilder h = new StringBuilder(32_768);
        h.append("<!doctype html>\n<html lang=\"").append(lang.code()).append("\"><head><meta charset=\"utf-8\">");
        h.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        h.append("<title>").append(title).append("</title>\n<style>");
        h.append(STYLE);
        h.append("</style></head><body>\n");
        h.append("<h1>").append(title).append("</h1>\n");
        h.append("<p class=\"meta\">").append(t.say(Phrase.STATUS)).append(": <b>");
        h.append(t.say(r.status() == IncidentReport.Status.ENDED ? Phrase.STATUS_ENDED : Phrase.STATUS_ONGOING));
        h.append("</b> · ").append(t.say(Phrase.PEAK)).append(": <b>");
        h.append(HtmlText.escape(t.say(Phrase.REQUESTS_PER_S, t.number(r.peakRps()))));
        h.append("</b> · ").append(t.say(Phrase.TIME_TO_DETECT)).append(": <b>");
        h.append(HtmlText.escape(t.seconds(r.timeToDetectS())));
        h.append("</b> · ").append(t.say(Phrase.TIME_TO_MITIGATE)).append(": <b>");
        h.append(HtmlText.escape(t.seconds(r.timeToMitigateS()))).append("</b></p>\n");
        heading(h, t, Phrase.H_SUMMARY);
        h.append("<p>").append(t.summary(r, HtmlText::escape)).append("</p>\n");

        charts(h, t, r);

        heading(h, t, Phrase.H_TIMELINE);
        para(h, t.say(Phrase.ALL_TIMES_UTC, t.day(r.start())));
        header(h, t, Phrase.COL_TIME, Phrase.COL_SITE, Phrase.COL_EVENT);
        for (ReportText.Row row : t.timeline(r)) {
            h.append("<tr><td>").append(time(row.at())).append("</td><td>");
            h.append(HtmlText.escape(row.site() == null ? t.say(Phrase.ALL_SITES) : row.site()))
                    .append("</td><td>")
                    .append(HtmlText.escape(row.what()));
            h.append("</td></tr>\n");
        }
        h.append("</table>\n");

        heading(h, t, Phrase.H_TARGETS);
        header(
                h,
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
            h.append("<tr><td>")
                    .append(HtmlText.escape(x.name()))
                    .append("</td><td>")
                    .append(time(x.since()))
                    .append(" – ");
            h.append(x.underAttackUntil() == null ? "…" : time(x.underAttackUntil()))
                    .append("</td>");
            num(h, t.number(x.peakRps()));
            num(h, t.number(x.baselineRps()));
            num(h, t.number(x.requests()));
            num(h, t.number(x.originRpsBaseline()));
            num(h, t.number(x.originRpsBeforeMitigation()));
            num(h, t.number(x.originRpsAfterMitigation()));
            h.append("</tr>\n");
        }
        h.append("</table>\n");

        IncidentReport.Signature s = r.signature();
        heading(h, t, Phrase.H_SOURCES);
        para(
                h,
                t.say(
                        Phrase.SOURCES,
                        t.number(Math.round(s.distinctSourcesPeak())),
                        t.number(s.requests()),
                        t.methods(s.methods()),
                        t.percent(s.highEntropyQueryShare()),
                        t.percent(s.vouchedShare())));
        if (!r.topPrefixes().isEmpty()) {
            header(h, t, Phrase.COL_NETWORK, Phrase.COL_REQUESTS, Phrase.COL_SHARE);
            for (IncidentReport.Prefix p : r.topPrefixes()) {
                h.append("<tr><td>").append(HtmlText.escape(p.prefix())).append("</td>");
                num(h, t.number(p.count()));
                num(h, t.percent(p.share()));
                h.append("</tr>\n");
            }
            h.append("</table>\n");
        }
        samples(h, t, t.say(Phrase.COL_PATH), s.topPaths());
        samples(h, t, "User-Agent", s.topUserAgents());

        heading(h, t, Phrase.H_MITIGATIONS);
        if (r.mitigations().isEmpty()) {
            para(h, t.say(Phrase.NO_MITIGATION));
        } else {
            header(h, t, Phrase.COL_TIME, Phrase.COL_SITE, Phrase.COL_KIND, Phrase.COL_DETAIL);
            for (IncidentReport.Mitigation m : r.mitigations()) {
                h.append("<tr><td>").append(time(m.at())).append("</td><td>");
                h.append(HtmlText.escape(m.site() == null ? t.say(Phrase.ALL_SITES) : m.site()))
                        .append("</td><td>")
                        .append(HtmlText.escape(m.kind()));
                h.append("</td><td>").append(HtmlText.escape(m.detail())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        IncidentReport.Effect e = r.effect();
        para(h, t.effect(e));

        IncidentReport.Collateral c = r.collateral();
        heading(h, t, Phrase.H_COLLATERAL);
        h.append("<table><tr><th>")
                .append(HtmlText.escape(t.say(Phrase.COL_OTHER_SITES, c.sites())))
                .append("</th><th>")
                .append(HtmlText.escape(t.say(Phrase.COL_BEFORE_ATTACK)))
                .append("</th><th>")
                .append(HtmlText.escape(t.say(Phrase.COL_DURING)))
                .append("</th></tr>\n");
        row(h, t.say(Phrase.ROW_RPS), t.number(c.rpsBefore()), t.number(c.rpsDuring()));
        row(h, t.say(Phrase.ROW_SERVED), t.percent(c.successShareBefore()), t.percent(c.successShare()));
        row(h, t.say(Phrase.ROW_LATENCY), ms(t, c.originMillisBefore()), ms(t, c.originMillis()));
        h.append("</table>\n");
        if (!c.worst().isEmpty()) {
            para(h, t.say(Phrase.WORST));
            header(h, t, Phrase.COL_SITE, Phrase.COL_REQUESTS, Phrase.ROW_SERVED);
            for (IncidentReport.SiteImpact w : c.worst()) {
                h.append("<tr><td>").append(HtmlText.escape(w.name())).append("</td>");
                num(h, t.number(w.requests()));
                num(h, t.percent(w.successShare()));
                h.append("</tr>\n");
            }
            h.append("</table>\n");
        }

        heading(h, t, Phrase.H_TIMES);
        h.append("<ul>");
        item(h, t.say(Phrase.ONSET_AT, time(r.onset())));
        item(h, t.say(Phrase.DETECTED_AT, time(r.detectedAt()), t.seconds(r.timeToDetectS())));
        item(
                h,
                e.mitigatedAt() == null
                        ? t.say(Phrase.FIRST_MITIGATION_NONE)
                        : t.say(Phrase.FIRST_MITIGATION_AT, time(e.mitigatedAt()), t.seconds(r.timeToMitigateS())));
        item(h, r.end() == null ? t.say(Phrase.ENDED_ONGOING) : t.say(Phrase.ENDED_AT, time(r.end())));
        item(
                h,
                t.say(
                        Phrase.WHOLE_EDGE,
                        t.number(r.edge().peakTotalRps()),
                        t.number(r.edge().baselineTotalRps())));
        h.append("</ul>\n<p class=\"meta\">")
                .append(HtmlText.escape(t.say(Phrase.FOOTER, String.valueOf(r.generatedAt()))))
                .append("</p>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void heading(StringBuilder h, ReportText t, Phrase p) {
        h.append("<h2>").append(HtmlText.escape(t.say(p))).append("</h2>\n");
    }

    private static void para(StringBuilder h, String text) {
        h.append("<p>").append(HtmlText.escape(text)).append("</p>\n");
    }

    private static void item(StringBuilder h, String text) {
        h.append("<li>").append(HtmlText.escape(text)).append("</li>");
    }

    /** Opens a table with one header row. */
    private static void header(StringBuilder h, ReportText t, Phrase... columns) {
        h.append("<table><tr>");
        for (Phrase c : columns) {
            h.append("<th>").append(HtmlText.escape(t.say(c))).append("</th>");
        }
        h.append("</tr>\n");
    }

    private static void charts(StringBuilder h, ReportText t, IncidentReport r) {
        IncidentReport.Timeline tl = r.timeline();
        if (tl == null) {
            return;
        }
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (IncidentReport.TargetSeries x : tl.targets()) {
            if (!x.t().isEmpty()) {
                from = Math.min(from, x.t().get(0));
                to = Math.max(to, x.t().get(x.t().size() - 1));
            }
        }
        if (tl.bystanders() != null && !tl.bystanders().t().isEmpty()) {
            from = Math.min(from, tl.bystanders().t().get(0));
            to = Math.max(to, tl.bystanders().t().get(tl.bystanders().t().size() - 1));
        }
        if (from >= to) {
            return;
        }
        heading(h, t, Phrase.H_CHARTS);
        List<Line> requests = new ArrayList<>();
        for (int i = 0; i < tl.targets().size(); i++) {
            IncidentReport.TargetSeries x = tl.targets().get(i);
            String colour = COLOURS[i % COLOURS.length];
            requests.add(new Line(t.say(Phrase.LINE_REQUESTS, x.name()), colour, false, x.t(), x.rps()));
            requests.add(new Line(t.say(Phrase.LINE_REACHING_ORIGIN, x.name()), colour, true, x.t(), x.originRps()));
        }
        chart(h, t, t.say(Phrase.CHART_TARGETS), requests, from, to, r, 0, Double.NaN);
        if (tl.bystanders() != null) {
            IncidentReport.BystanderSeries b = tl.bystanders();
            List<Double> successPercent = new ArrayList<>(b.successShare().size());
            double lowest = 100;
            for (Double v : b.successShare()) {
                successPercent.add(v == null ? null : v * 100);
                lowest = v == null ? lowest : Math.min(lowest, v * 100);
            }
            chart(
                    h,
                    t,
                    t.say(Phrase.CHART_SERVED),
                    List.of(new Line(t.say(Phrase.LINE_SERVED), "#2ca02c", false, b.t(), successPercent)),
                    from,
                    to,
                    r,
                    Math.max(0, Math.floor(lowest) - 1), // zoomed: a dip from 100% to 99.8% must show
                    100);
            chart(
                    h,
                    t,
                    t.say(Phrase.CHART_OTHERS_RATE),
                    List.of(
                            new Line(t.say(Phrase.ROW_RPS), "#1f77b4", false, b.t(), b.rps()),
                            new Line(t.say(Phrase.LINE_LATENCY), "#555555", true, b.t(), b.originMs())),
                    from,
                    to,
                    r,
                    0,
                    Double.NaN);
        }
    }

    private record Line(String label, String colour, boolean dashed, List<Long> t, List<Double> v) {}

    /** One SVG chart from {@code yMin} to {@code yMax}, or to fit the data when {@code yMax} is NaN. */
    private static void chart(
            StringBuilder h,
            ReportText t,
            String title,
            List<Line> lines,
            long from,
            long to,
            IncidentReport r,
            double yMin,
            double yMax) {
        double max = yMax;
        if (Double.isNaN(max)) {
            max = 0;
            for (Line l : lines) {
                for (Double v : l.v()) {
                    if (v != null) {
                        max = Math.max(max, v);
                    }
                }
            }
            max = niceCeiling(max);
        }
        double bottom = Math.min(yMin, max - 1e-9);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        double span = to - from;
        double top = max;
        double range = top - bottom;
        h.append("<figure><figcaption>").append(HtmlText.escape(title)).append("</figcaption>\n");
        h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(HEIGHT)
                .append("\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"")
                .append(HtmlText.escape(title))
                .append("\" font-size=\"11\" font-family=\"sans-serif\">\n");
        for (int i = 0; i <= 4; i++) {
            double y = TOP + plotH - plotH * i / 4;
            h.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                    LEFT,
                    WIDTH - RIGHT,
                    y,
                    y,
                    LEFT - 4,
                    y + 4,
                    HtmlText.escape(t.number(bottom + range * i / 4))));
        }
        for (int i = 0; i <= 5; i++) {
            double x = LEFT + plotW * i / 5;
            h.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>\n",
                    x,
                    HEIGHT - 8,
                    i == 0 ? "start" : i == 5 ? "end" : "middle",
                    time(Instant.ofEpochMilli(from + Math.round(span * i / 5)))));
        }
        marker(h, t.say(Phrase.MARK_ONSET), r.onset(), from, span, plotW, plotH, "#999");
        marker(h, t.say(Phrase.MARK_DETECTED), r.detectedAt(), from, span, plotW, plotH, "#d62728");
        marker(
                h,
                t.say(Phrase.MARK_MITIGATED),
                r.effect() == null ? null : r.effect().mitigatedAt(),
                from,
                span,
                plotW,
                plotH,
                "#2ca02c");
        marker(h, t.say(Phrase.MARK_ENDED), r.end(), from, span, plotW, plotH, "#999");
        for (Line l : lines) {
            StringBuilder path = new StringBuilder(l.t().size() * 14);
            boolean pen = false;
            for (int i = 0; i < l.t().size() && i < l.v().size(); i++) {
                Double v = l.v().get(i);
                if (v == null) {
                    pen = false;
                    continue;
                }
                double x = LEFT + plotW * (l.t().get(i) - from) / span;
                double y = TOP + plotH - plotH * (Math.clamp(v, bottom, top) - bottom) / range;
                path.append(pen ? 'L' : 'M').append(String.format(Locale.ROOT, "%.1f %.1f ", x, y));
                pen = true;
            }
            if (path.length() > 0) {
                h.append("<path fill=\"none\" stroke=\"")
                        .append(l.colour())
                        .append("\" stroke-width=\"1.5\"")
                        .append(l.dashed() ? " stroke-dasharray=\"4 3\"" : "")
                        .append(" d=\"")
                        .append(path)
                        .append("\"><title>")
                        .append(HtmlText.escape(l.label()))
                        .append("</title></path>\n");
            }
        }
        h.append("</svg>\n<div class=\"key\">");
        for (Line l : lines) {
            h.append("<span><svg width=\"24\" height=\"8\" aria-hidden=\"true\"><line x1=\"0\" y1=\"4\" x2=\"24\""
                            + " y2=\"4\" stroke-width=\"3\" stroke=\"")
                    .append(l.colour())
                    .append(l.dashed() ? "\" stroke-dasharray=\"4 3" : "")
                    .append("\"/></svg>")
                    .append(HtmlText.escape(l.label()))
                    .append("</span>");
        }
        h.append("</div></figure>\n");
    }

    private static void marker(
            StringBuilder h,
            String label,
            Instant at,
            long from,
            double span,
            double plotW,
            double plotH,
            String colour) {
        if (at == null || at.toEpochMilli() < from || at.toEpochMilli() > from + span) {
            return;
        }
        double x = LEFT + plotW * (at.toEpochMilli() - from) / span;
        h.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"2 2\">"
                        + "<title>%s %s UTC</title></line>\n",
                x,
                x,
                TOP,
                TOP + plotH,
                colour,
                HtmlText.escape(label),
                time(at)));
    }

    /** 1, 2 or 5 times a power of ten, at or above {@code v} (1 for 0). */
    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static void num(StringBuilder h, String v) {
        h.append("<td class=\"n\">").append(HtmlText.escape(v)).append("</td>");
    }

    private static void row(StringBuilder h, String label, String before, String during) {
        h.append("<tr><td>")
                .append(HtmlText.escape(label))
                .append("</td><td class=\"n\">")
                .append(HtmlText.escape(before));
        h.append("</td><td class=\"n\">").append(HtmlText.escape(during)).append("</td></tr>\n");
    }

    private static String ms(ReportText t, Double v) {
        return v == null ? "-" : t.number(v) + " ms";
    }

    private static void samples(StringBuilder h, ReportText t, String column, List<IncidentReport.Sample> list) {
        if (list.isEmpty()) {
            return;
        }
        h.append("<table><tr><th>").append(HtmlText.escape(column)).append("</th><th>");
        h.append(HtmlText.escape(t.say(Phrase.COL_REQUESTS))).append("</th><th>");
        h.append(HtmlText.escape(t.say(Phrase.COL_SHARE))).append("</th></tr>\n");
        for (IncidentReport.Sample x : list) {
            h.append("<tr><td><code>")
                    .append(HtmlText.escape(x.text() == null ? t.say(Phrase.NOT_SAMPLED) : x.text()))
                    .append("</code></td>");
            num(h, t.number(x.count()));
            num(h, t.percent(x.share()));
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }
}
