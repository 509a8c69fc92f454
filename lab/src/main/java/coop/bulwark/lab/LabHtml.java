package coop.bulwark.lab;

import coop.bulwark.html.HtmlText;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The lab's HTML report as a one-page story: the verdict in plain words (computed by {@link Verdict}), a table of
 * the runs, then the runs side by side on shared axes ({@link SmallMultiples}) with the phases shaded and what
 * happened marked, and the same figures by phase as a table. One self-contained file: no script, no external
 * resource, inline SVG; readable on a phone (the runs stack), printable (they sit side by side on the page).
 *
 * <p>Nothing here knows a scenario: the phases, the markers and the runs come from the outcome, so a new scenario,
 * a new kind of marker or a third run needs no change. Stateless.
 */
public final class LabHtml {
    static final String STYLE = """
            :root{color-scheme:light}
            body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1180px;padding:1em;color:#1a1a1a}
            h1{font-size:1.3em;margin:.2em 0;color:#444;font-weight:600}
            .verdict{font-size:1.45em;line-height:1.35;font-weight:600;margin:.3em 0 .4em}
            .detail{font-size:1.05em;margin:0 0 .5em}.meta{color:#555;font-size:.9em}
            h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd}
            h3{font-size:1em;margin:1em 0 .2em}
            .scroll{overflow-x:auto}
            table{border-collapse:collapse;font-size:.92em}caption{text-align:left;color:#555;padding:.2em 0}
            th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}th{background:#f2f2f2;text-align:left}
            td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .runs{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:.4em 1.2em}
            figure{margin:0;break-inside:avoid}figcaption{font-weight:600;font-size:.9em}
            svg{width:100%;height:auto;display:block}
            .key{margin:.1em 0;font-size:.9em}.key span{margin-right:1.2em;white-space:nowrap}
            svg.swatch{display:inline;width:26px;height:10px;vertical-align:middle;margin-right:.3em}
            .swatch line{stroke-width:3}
            .phase{fill:#ececec}.phase-name{font-size:8px;fill:#555}
            .grid{stroke:#ddd}.axis{font-size:9px;fill:#444}
            .series{fill:none;stroke-width:1.6}.marker{stroke-width:1.2;stroke-dasharray:3 2}
            ol.events{font-size:.85em;margin:.2em 0;padding-left:1.3em}
            @media print{body{max-width:none;font-size:11pt}.runs{grid-template-columns:repeat(auto-fit,minmax(220px,1fr))}
            section,table{break-inside:avoid}.scroll{overflow:visible}}
            """;

    /** Markers listed under the charts per run; the rest are counted (every one is drawn). */
    private static final int MAX_LISTED_MARKERS = 12;

    private LabHtml() {}

    public static String render(LabReport report, List<LabReport.Series> series) {
        Verdict verdict = Verdict.of(report);
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        h.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        h.append("<title>bulwark lab: ")
                .append(HtmlText.escape(report.scenario()))
                .append("</title>\n<style>");
        h.append(STYLE).append("</style></head><body>\n<header>\n");
        h.append("<h1>bulwark lab · scenario ")
                .append(HtmlText.escape(report.scenario()))
                .append("</h1>\n");
        h.append("<p class=\"verdict\" id=\"verdict\">")
                .append(HtmlText.escape(verdict.headline()))
                .append("</p>\n");
        if (!verdict.detail().isEmpty()) {
            h.append("<p class=\"detail\">")
                    .append(HtmlText.escape(verdict.detail()))
                    .append("</p>\n");
        }
        h.append("<p class=\"meta\">")
                .append(HtmlText.escape(String.format(
                        Locale.ROOT,
                        "%,d member sites on one shared origin; the same traffic sent through each edge for %d s; on"
                                + " %s.",
                        report.sites(),
                        report.durationS(),
                        report.machine())))
                .append("</p>\n</header>\n");
        runsTable(h, report);
        if (!series.isEmpty()) {
            charts(h, series);
            phaseTable(h, series);
        }
        List<String> incidents = report.runs().stream()
                .flatMap(r -> r.attack().reports().stream())
                .toList();
        if (!incidents.isEmpty()) {
            h.append("<h2>Incident reports</h2>\n<p>What the edge wrote for the operator and members:</p>\n<ul>");
            for (String r : incidents) {
                h.append("<li><code>").append(HtmlText.escape(r)).append("</code></li>");
            }
            h.append("</ul>\n");
        }
        h.append("<p class=\"meta\">Made by <code>bulwark lab</code>. Visitors are simulated browsers, feed readers and"
                + " a crawler; a request \"got no page\" when it failed or took longer than the visitor waits.</p>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void runsTable(StringBuilder h, LabReport report) {
        h.append("<h2>The runs</h2>\n<div class=\"scroll\"><table id=\"runs\">\n");
        h.append("<caption>Figures over the attack (without one: after the first phase). Targets: ")
                .append(HtmlText.escape(
                        report.runs().isEmpty()
                                ? "none"
                                : String.join(
                                        ", ", report.runs().get(0).targets().sites())))
                .append(".</caption>\n<thead><tr><th scope=\"col\">run</th>")
                .append("<th scope=\"col\">other sites: visitors' requests answered</th><th scope=\"col\">p50</th>")
                .append("<th scope=\"col\">p99</th><th scope=\"col\">targeted sites: answered</th>")
                .append("<th scope=\"col\">p99</th><th scope=\"col\">attack requests sent</th>")
                .append("<th scope=\"col\">reached the origin</th><th scope=\"col\">detected after</th>")
                .append("<th scope=\"col\">attack held off after</th><th scope=\"col\">challenges solved</th>")
                .append("<th scope=\"col\">targets named</th></tr></thead>\n<tbody>\n");
        for (LabReport.Run r : report.runs()) {
            h.append("<tr><th scope=\"row\">").append(HtmlText.escape(r.name())).append("</th>");
            num(h, share(r.bystanders().legitSuccessRate()));
            num(h, ms(r.bystanders().p50Ms()));
            num(h, ms(r.bystanders().p99Ms()));
            num(h, share(r.targets().legitSuccessRate()));
            num(h, ms(r.targets().p99Ms()));
            num(h, String.format(Locale.ROOT, "%,d", r.attack().requestsSent()));
            num(h, String.format(Locale.ROOT, "%,d", r.attack().requestsReachingOrigin()));
            num(
                    h,
                    r.attack().detectedAfterS() == null
                            ? "-"
                            : SmallMultiples.number(r.attack().detectedAfterS()) + " s");
            num(h, r.attack().mitigatedAfterS() == null ? "-" : r.attack().mitigatedAfterS() + " s");
            num(h, r.challengesSolved() == null ? "-" : String.format(Locale.ROOT, "%,d", r.challengesSolved()));
            h.append("<td>")
                    .append(HtmlText.escape(
                            r.attack().namedTargets().isEmpty()
                                    ? "-"
                                    : String.join(", ", r.attack().namedTargets())))
                    .append("</td></tr>\n");
        }
        h.append("</tbody></table></div>\n");
    }

    private static void charts(StringBuilder h, List<LabReport.Series> series) {
        Map<String, String> markers = SmallMultiples.markerColours(series);
        h.append("<h2>Second by second</h2>\n<p>Each run side by side on the same axes: seconds from the run's start"
                + " across, the same scale up. Shaded bands are the scenario's phases");
        if (!markers.isEmpty()) {
            h.append("; vertical lines mark what happened:");
            for (var e : markers.entrySet()) {
                h.append(" <span class=\"key\">");
                SmallMultiples.swatch(h, e.getValue(), "3 2");
                h.append(HtmlText.escape(e.getKey())).append("</span>");
            }
        }
        h.append(".</p>\n");
        List<SmallMultiples.Measure> measures = List.of(
                new SmallMultiples.Measure(
                        "People's requests answered, per second",
                        "%",
                        List.of(
                                new SmallMultiples.Line(
                                        "other sites' visitors",
                                        SmallMultiples.PALETTE[0],
                                        SmallMultiples.dash(0),
                                        LabReport.Series::bystanderSuccess),
                                new SmallMultiples.Line(
                                        "targeted sites' visitors",
                                        SmallMultiples.PALETTE[1],
                                        SmallMultiples.dash(1),
                                        LabReport.Series::targetSuccess)),
                        100),
                new SmallMultiples.Measure(
                        "Other sites' visitors: p99 latency of the requests begun each second",
                        " ms",
                        List.of(new SmallMultiples.Line(
                                "p99",
                                SmallMultiples.PALETTE[0],
                                SmallMultiples.dash(0),
                                LabReport.Series::bystanderP99Ms)),
                        Double.NaN),
                new SmallMultiples.Measure(
                        "Requests per second",
                        "/s",
                        List.of(
                                new SmallMultiples.Line(
                                        "attack sent",
                                        SmallMultiples.PALETTE[4],
                                        SmallMultiples.dash(0),
                                        s -> doubles(s.attackSent())),
                                new SmallMultiples.Line(
                                        "attack reaching the origin",
                                        SmallMultiples.PALETTE[1],
                                        SmallMultiples.dash(1),
                                        s -> doubles(s.originAttack())),
                                new SmallMultiples.Line(
                                        "people's requests reaching the origin",
                                        SmallMultiples.PALETTE[0],
                                        SmallMultiples.dash(2),
                                        s -> doubles(s.originLegit()))),
                        Double.NaN),
                new SmallMultiples.Measure(
                        "Shared origin load (end of each second)",
                        "",
                        List.of(
                                new SmallMultiples.Line(
                                        "workers busy",
                                        SmallMultiples.PALETTE[3],
                                        SmallMultiples.dash(0),
                                        s -> doubles(s.originBusy())),
                                new SmallMultiples.Line(
                                        "requests waiting",
                                        SmallMultiples.PALETTE[5],
                                        SmallMultiples.dash(1),
                                        s -> doubles(s.originQueued()))),
                        Double.NaN));
        for (int i = 0; i < measures.size(); i++) {
            SmallMultiples.row(h, measures.get(i), series, markers, i);
        }
        if (series.stream().anyMatch(s -> !s.markers().isEmpty())) {
            h.append("<section><h3>What happened when</h3>\n<div class=\"runs\">\n");
            for (LabReport.Series s : series) {
                h.append("<div><b>").append(HtmlText.escape(s.name())).append("</b>");
                if (s.markers().isEmpty()) {
                    h.append("<p class=\"meta\">Nothing marked.</p></div>\n");
                    continue;
                }
                h.append("<ol class=\"events\">");
                List<LabReport.Marker> shown = s.markers()
                        .subList(0, Math.min(MAX_LISTED_MARKERS, s.markers().size()));
                for (LabReport.Marker m : shown) {
                    h.append("<li>").append(HtmlText.escape(SmallMultiples.number(m.atS()) + " s, " + m.kind() + ": "));
                    h.append(HtmlText.escape(m.label())).append("</li>");
                }
                h.append("</ol>");
                if (s.markers().size() > shown.size()) {
                    h.append("<p class=\"meta\">… and ")
                            .append(s.markers().size() - shown.size())
                            .append(" more (all drawn on the charts).</p>");
                }
                h.append("</div>\n");
            }
            h.append("</div></section>\n");
        }
    }

    /** The charts' figures as text: per run and phase, the averages and peaks the lines show. */
    private static void phaseTable(StringBuilder h, List<LabReport.Series> series) {
        h.append("<h2>The same figures by phase</h2>\n<div class=\"scroll\"><table id=\"phases\">\n");
        h.append("<caption>Averages per second over each phase; origin load at its highest.</caption>\n<thead><tr>")
                .append("<th scope=\"col\">run</th><th scope=\"col\">phase</th><th scope=\"col\">seconds</th>")
                .append("<th scope=\"col\">other sites answered</th><th scope=\"col\">targets answered</th>")
                .append("<th scope=\"col\">attack sent/s</th><th scope=\"col\">attack at origin/s</th>")
                .append("<th scope=\"col\">people at origin/s</th><th scope=\"col\">workers busy (peak)</th>")
                .append("<th scope=\"col\">waiting (peak)</th></tr></thead>\n<tbody>\n");
        for (LabReport.Series s : series) {
            int n = s.bystanderSuccess().length;
            for (int p = 0; p < s.phases().size(); p++) {
                int from = Math.min(n, s.phaseStarts().get(p));
                int to = p + 1 < s.phaseStarts().size()
                        ? Math.min(n, s.phaseStarts().get(p + 1))
                        : n;
                h.append("<tr><th scope=\"row\">")
                        .append(HtmlText.escape(s.name()))
                        .append("</th><td>");
                h.append(HtmlText.escape(s.phases().get(p))).append("</td>");
                num(h, from + "–" + to + " s");
                num(h, percent(mean(s.bystanderSuccess(), from, to)));
                num(h, percent(mean(s.targetSuccess(), from, to)));
                num(h, SmallMultiples.number(mean(doubles(s.attackSent()), from, to)));
                num(h, SmallMultiples.number(mean(doubles(s.originAttack()), from, to)));
                num(h, SmallMultiples.number(mean(doubles(s.originLegit()), from, to)));
                num(h, SmallMultiples.number(peak(s.originBusy(), from, to)));
                num(h, SmallMultiples.number(peak(s.originQueued(), from, to)));
                h.append("</tr>\n");
            }
        }
        h.append("</tbody></table></div>\n");
    }

    private static double[] doubles(long[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /** The mean of the figures in {@code [from, to)}, NaN ones left out; NaN when none. */
    static double mean(double[] v, int from, int to) {
        double sum = 0;
        int n = 0;
        for (int i = from; i < to && i < v.length; i++) {
            if (!Double.isNaN(v[i])) {
                sum += v[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static double peak(long[] v, int from, int to) {
        long max = 0;
        for (int i = from; i < to && i < v.length; i++) {
            max = Math.max(max, v[i]);
        }
        return max;
    }

    private static void num(StringBuilder h, String v) {
        h.append("<td class=\"n\">").append(HtmlText.escape(v)).append("</td>");
    }

    private static String percent(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", v);
    }

    private static String share(Double rate) {
        return rate == null ? "-" : String.format(Locale.ROOT, "%.2f%%", rate * 100);
    }

    private static String ms(Long millis) {
        return millis == null ? "-" : String.format(Locale.ROOT, "%,d ms", millis);
    }
}
