package coop.bulwark.report;

import static coop.bulwark.report.ReportText.number;
import static coop.bulwark.report.ReportText.percent;
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

    public static String render(IncidentReport r) {
        StringBuilder h = new StringBuilder(32_768);
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        h.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        h.append("<title>Incident report: attack ")
                .append(HtmlText.escape(r.id()))
                .append("</title>\n<style>");
        h.append(STYLE);
        h.append("</style></head><body>\n");
        h.append("<h1>Incident report: attack ").append(HtmlText.escape(r.id())).append("</h1>\n");
        h.append("<p class=\"meta\">Status: <b>")
                .append(r.status() == IncidentReport.Status.ENDED ? "ended" : "ongoing")
                .append("</b> · Peak: <b>")
                .append(number(r.peakRps()))
                .append(" requests/s</b> · Time to detect: <b>")
                .append(ReportText.seconds(r.timeToDetectS()))
                .append("</b> · Time to mitigate: <b>")
                .append(ReportText.seconds(r.timeToMitigateS()))
                .append("</b></p>\n");
        h.append("<h2>Summary</h2>\n<p>")
                .append(ReportText.summary(r, HtmlText::escape))
                .append("</p>\n");

        charts(h, r);

        h.append("<h2>Timeline</h2>\n<p>All times UTC, ")
                .append(ReportText.day(r.start()))
                .append(".</p>\n");
        h.append("<table><tr><th>time</th><th>site</th><th>event</th></tr>\n");
        for (ReportText.Row row : ReportText.timeline(r)) {
            h.append("<tr><td>").append(time(row.at())).append("</td><td>");
            h.append(row.site() == null ? "all" : HtmlText.escape(row.site()))
                    .append("</td><td>")
                    .append(HtmlText.escape(row.what()));
            h.append("</td></tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Targets</h2>\n<table><tr><th>site</th><th>under attack</th><th>peak req/s</th>"
                + "<th>usual req/s</th><th>requests</th><th>origin req/s: usual</th><th>before mitigation</th>"
                + "<th>after</th></tr>\n");
        for (IncidentReport.Target t : r.targets()) {
            h.append("<tr><td>")
                    .append(HtmlText.escape(t.name()))
                    .append("</td><td>")
                    .append(time(t.since()))
                    .append(" – ");
            h.append(t.underAttackUntil() == null ? "…" : time(t.underAttackUntil()))
                    .append("</td>");
            num(h, number(t.peakRps()));
            num(h, number(t.baselineRps()));
            num(h, number(t.requests()));
            num(h, number(t.originRpsBaseline()));
            num(h, number(t.originRpsBeforeMitigation()));
            num(h, number(t.originRpsAfterMitigation()));
            h.append("</tr>\n");
        }
        h.append("</table>\n");

        IncidentReport.Signature s = r.signature();
        h.append("<h2>Sources</h2>\n<p>Up to ")
                .append(number(Math.round(s.distinctSourcesPeak())))
                .append(" distinct source addresses per second. While the targets were under attack they received ")
                .append(number(s.requests()))
                .append(" requests: ")
                .append(HtmlText.escape(ReportText.methods(s.methods())))
                .append("; ")
                .append(percent(s.highEntropyQueryShare()))
                .append(" with a random-looking query string (cache busting); ")
                .append(percent(s.vouchedShare()))
                .append(" from returning visitors or visitors holding a challenge cookie.</p>\n");
        if (!r.topPrefixes().isEmpty()) {
            h.append("<table><tr><th>network</th><th>requests</th><th>share</th></tr>\n");
            for (IncidentReport.Prefix p : r.topPrefixes()) {
                h.append("<tr><td>").append(HtmlText.escape(p.prefix())).append("</td>");
                num(h, number(p.count()));
                num(h, percent(p.share()));
                h.append("</tr>\n");
            }
            h.append("</table>\n");
        }
        samples(h, "path", s.topPaths());
        samples(h, "User-Agent", s.topUserAgents());

        h.append("<h2>Mitigations and their effect</h2>\n");
        if (r.mitigations().isEmpty()) {
            h.append("<p>No mitigation was recorded.</p>\n");
        } else {
            h.append("<table><tr><th>time</th><th>site</th><th>kind</th><th>detail</th></tr>\n");
            for (IncidentReport.Mitigation m : r.mitigations()) {
                h.append("<tr><td>").append(time(m.at())).append("</td><td>");
                h.append(m.site() == null ? "all" : HtmlText.escape(m.site()))
                        .append("</td><td>")
                        .append(HtmlText.escape(m.kind()));
                h.append("</td><td>").append(HtmlText.escape(m.detail())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        IncidentReport.Effect e = r.effect();
        h.append("<p>").append(HtmlText.escape(ReportText.effect(e))).append("</p>\n");

        IncidentReport.Collateral c = r.collateral();
        h.append("<h2>Collateral</h2>\n<table><tr><th>other sites (")
                .append(c.sites())
                .append(")</th><th>before the attack</th><th>during</th></tr>\n");
        row(h, "requests/s", number(c.rpsBefore()), number(c.rpsDuring()));
        row(h, "served without error", percent(c.successShareBefore()), percent(c.successShare()));
        row(h, "mean origin latency", ms(c.originMillisBefore()), ms(c.originMillis()));
        h.append("</table>\n");
        if (!c.worst().isEmpty()) {
            h.append("<p>The other sites with the most errors during the attack:</p>\n");
            h.append("<table><tr><th>site</th><th>requests</th><th>served without error</th></tr>\n");
            for (IncidentReport.SiteImpact w : c.worst()) {
                h.append("<tr><td>").append(HtmlText.escape(w.name())).append("</td>");
                num(h, number(w.requests()));
                num(h, percent(w.successShare()));
                h.append("</tr>\n");
            }
            h.append("</table>\n");
        }

        h.append("<h2>Time to detect and mitigate</h2>\n<ul>");
        h.append("<li>Onset (first sign): ").append(time(r.onset())).append(" UTC</li>");
        h.append("<li>Detected: ")
                .append(time(r.detectedAt()))
                .append(" UTC, ")
                .append(ReportText.seconds(r.timeToDetectS()))
                .append(" after onset</li>");
        h.append("<li>First mitigation: ")
                .append(
                        e.mitigatedAt() == null
                                ? "none"
                                : time(e.mitigatedAt()) + " UTC, " + ReportText.seconds(r.timeToMitigateS())
                                        + " after onset")
                .append("</li>");
        h.append("<li>Ended: ")
                .append(r.end() == null ? "ongoing" : time(r.end()) + " UTC")
                .append("</li>");
        h.append("<li>Whole edge: peak ")
                .append(number(r.edge().peakTotalRps()))
                .append(" requests/s (usual ")
                .append(number(r.edge().baselineTotalRps()))
                .append(")</li></ul>\n");
        h.append("<p class=\"meta\">Generated by Bulwark at ")
                .append(HtmlText.escape(String.valueOf(r.generatedAt())))
                .append(". Figures per second are averages over one-second ticks; source counts are estimates.</p>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void charts(StringBuilder h, IncidentReport r) {
        IncidentReport.Timeline tl = r.timeline();
        if (tl == null) {
            return;
        }
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (IncidentReport.TargetSeries t : tl.targets()) {
            if (!t.t().isEmpty()) {
                from = Math.min(from, t.t().get(0));
                to = Math.max(to, t.t().get(t.t().size() - 1));
            }
        }
        if (tl.bystanders() != null && !tl.bystanders().t().isEmpty()) {
            from = Math.min(from, tl.bystanders().t().get(0));
            to = Math.max(to, tl.bystanders().t().get(tl.bystanders().t().size() - 1));
        }
        if (from >= to) {
            return;
        }
        h.append("<h2>Charts</h2>\n");
        List<Line> requests = new ArrayList<>();
        for (int i = 0; i < tl.targets().size(); i++) {
            IncidentReport.TargetSeries t = tl.targets().get(i);
            String colour = COLOURS[i % COLOURS.length];
            requests.add(new Line(t.name() + ": requests/s", colour, false, t.t(), t.rps()));
            requests.add(new Line(t.name() + ": reaching the origin/s", colour, true, t.t(), t.originRps()));
        }
        chart(h, "Targets: requests per second", requests, from, to, r, 0, Double.NaN);
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
                    "Other sites: requests served without error (%)",
                    List.of(new Line("served without error (%)", "#2ca02c", false, b.t(), successPercent)),
                    from,
                    to,
                    r,
                    Math.max(0, Math.floor(lowest) - 1), // zoomed: a dip from 100% to 99.8% must show
                    100);
            chart(
                    h,
                    "Other sites: requests per second and mean origin latency (ms)",
                    List.of(
                            new Line("requests/s", "#1f77b4", false, b.t(), b.rps()),
                            new Line("origin latency (ms)", "#555555", true, b.t(), b.originMs())),
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
                    HtmlText.escape(number(bottom + range * i / 4))));
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
        marker(h, "onset", r.onset(), from, span, plotW, plotH, "#999");
        marker(h, "detected", r.detectedAt(), from, span, plotW, plotH, "#d62728");
        marker(
                h,
                "mitigated",
                r.effect() == null ? null : r.effect().mitigatedAt(),
                from,
                span,
                plotW,
                plotH,
                "#2ca02c");
        marker(h, "ended", r.end(), from, span, plotW, plotH, "#999");
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
                label,
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

    private static String ms(Double v) {
        return v == null ? "-" : number(v) + " ms";
    }

    /** Escapes text for HTML element content and quoted attribute values. */
    private static void samples(StringBuilder h, String column, List<IncidentReport.Sample> list) {
        if (list.isEmpty()) {
            return;
        }
        h.append("<table><tr><th>").append(column).append("</th><th>requests</th><th>share</th></tr>\n");
        for (IncidentReport.Sample x : list) {
            h.append("<tr><td><code>")
                    .append(x.text() == null ? "(not sampled)" : HtmlText.escape(x.text()))
                    .append("</code></td>");
            num(h, number(x.count()));
            num(h, percent(x.share()));
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }
}
