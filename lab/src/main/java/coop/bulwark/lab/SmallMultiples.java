package coop.bulwark.lab;

import coop.bulwark.html.HtmlText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One row of the lab page's small multiples: the same measure for every run, side by side, as inline SVG on shared
 * axes (the same seconds across, the same scale up), with the scenario's phases shaded and the run's markers drawn.
 * Each chart carries a title and a one-sentence description for screen readers; the page's table by phase holds
 * every figure as text.
 *
 * <p>Colours are from a palette whose every colour has at least 3:1 contrast on white (WCAG 1.4.11) and are told
 * apart by dash pattern as well, so a reader who cannot tell the colours apart still can tell the lines apart.
 * Stateless.
 */
final class SmallMultiples {
    /** Line and marker colours, each at least 3:1 against white. */
    static final String[] PALETTE = {"#0072b2", "#c0392b", "#007a5a", "#882e72", "#5c5c5c", "#a35200", "#1a1a1a"};

    private static final String[] DASHES = {"", "5 3", "2 2", "8 3 2 3"};
    private static final int W = 320;
    private static final int H = 150;
    private static final int LEFT = 42;
    private static final int RIGHT = 8;
    private static final int TOP = 12;
    private static final int BOTTOM = 22;

    /**
     * One line of a chart.
     *
     * @param values one per second; NaN where there is no figure (drawn as a gap)
     */
    record Line(String label, String colour, String dash, Function<LabReport.Series, double[]> values) {}

    /**
     * A measure drawn for each run.
     *
     * @param fixedMax the top of the scale, or NaN to fit the highest value of every run
     */
    record Measure(String title, String unit, List<Line> lines, double fixedMax) {}

    private SmallMultiples() {}

    /** The colour of each marker kind, in order of first appearance over every run. */
    static Map<String, String> markerColours(List<LabReport.Series> runs) {
        Map<String, String> colours = new LinkedHashMap<>();
        for (LabReport.Series s : runs) {
            for (LabReport.Marker m : s.markers()) {
                colours.computeIfAbsent(m.kind(), k -> PALETTE[(colours.size() + 3) % PALETTE.length]);
            }
        }
        return colours;
    }

    /** Appends the measure for every run: a key, then one figure per run in a grid. */
    static void row(
            StringBuilder h, Measure m, List<LabReport.Series> runs, Map<String, String> markerColours, int id) {
        int seconds = 1;
        double max = 0;
        for (LabReport.Series s : runs) {
            seconds = Math.max(seconds, s.bystanderSuccess().length);
            for (Line l : m.lines()) {
                for (double v : l.values().apply(s)) {
                    max = Double.isNaN(v) ? max : Math.max(max, v);
                }
            }
        }
        double top = Double.isNaN(m.fixedMax()) ? niceCeiling(max) : m.fixedMax();
        h.append("<section class=\"measure\"><h3>")
                .append(HtmlText.escape(m.title()))
                .append("</h3>\n");
        h.append("<p class=\"key\">");
        for (Line l : m.lines()) {
            h.append("<span>");
            swatch(h, l.colour(), l.dash());
            h.append(HtmlText.escape(l.label())).append("</span> ");
        }
        h.append("</p>\n<div class=\"runs\">\n");
        for (int i = 0; i < runs.size(); i++) {
            chart(h, m, runs.get(i), markerColours, seconds, top, "c" + id + "-" + i);
        }
        h.append("</div></section>\n");
    }

    private static void chart(
            StringBuilder h,
            Measure m,
            LabReport.Series s,
            Map<String, String> markerColours,
            int seconds,
            double top,
            String id) {
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        String title = s.name() + ": " + m.title();
        h.append("<figure><figcaption>").append(HtmlText.escape(s.name())).append("</figcaption>");
        h.append("<svg viewBox=\"0 0 ")
                .append(W)
                .append(' ')
                .append(H)
                .append("\" role=\"img\" aria-labelledby=\"")
                .append(id)
                .append("t ")
                .append(id)
                .append("d\"><title id=\"")
                .append(id)
                .append("t\">")
                .append(HtmlText.escape(title))
                .append("</title><desc id=\"")
                .append(id)
                .append("d\">")
                .append(HtmlText.escape(describe(m, s)))
                .append("</desc>\n");
        // Phases: every other one shaded, each named at the top when its band is wide enough for the name.
        List<Integer> starts = s.phaseStarts();
        for (int p = 0; p < starts.size(); p++) {
            int from = starts.get(p);
            int to = p + 1 < starts.size() ? starts.get(p + 1) : s.bystanderSuccess().length;
            double x0 = LEFT + plotW * from / seconds;
            double x1 = LEFT + plotW * to / seconds;
            if (p % 2 == 1) {
                h.append(String.format(
                        Locale.ROOT,
                        "<rect class=\"phase\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\"/>",
                        x0,
                        TOP,
                        x1 - x0,
                        plotH));
            }
            String name = s.phases().get(p);
            if (x1 - x0 > name.length() * 4.6 + 4) {
                h.append(String.format(
                        Locale.ROOT,
                        "<text class=\"phase-name\" x=\"%.1f\" y=\"%d\">%s</text>",
                        x0 + 2,
                        TOP + 8,
                        HtmlText.escape(name)));
            }
        }
        h.append('\n');
        for (int i = 0; i <= 2; i++) {
            double y = TOP + plotH - plotH * i / 2;
            h.append(String.format(
                    Locale.ROOT,
                    "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/><text class=\"axis\" x=\"%d\""
                            + " y=\"%.1f\" text-anchor=\"end\">%s</text>",
                    LEFT,
                    W - RIGHT,
                    y,
                    y,
                    LEFT - 3,
                    y + 3,
                    HtmlText.escape(number(top * i / 2) + (i == 2 ? m.unit() : ""))));
        }
        int step = tickStep(seconds);
        for (int t = 0; t <= seconds; t += step) {
            double x = LEFT + plotW * t / seconds;
            h.append(String.format(
                    Locale.ROOT,
                    "<text class=\"axis\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d s</text>",
                    x,
                    H - 8,
                    t));
        }
        h.append('\n');
        for (LabReport.Marker mk : s.markers()) {
            if (mk.atS() < 0 || mk.atS() > seconds) {
                continue;
            }
            double x = LEFT + plotW * mk.atS() / seconds;
            h.append(String.format(
                    Locale.ROOT,
                    "<line class=\"marker\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"%s\">"
                            + "<title>%s s: %s</title></line>",
                    x,
                    x,
                    TOP,
                    TOP + plotH,
                    markerColours.getOrDefault(mk.kind(), PALETTE[4]),
                    number(mk.atS()),
                    HtmlText.escape(mk.label())));
        }
        h.append('\n');
        for (Line l : m.lines()) {
            double[] v = l.values().apply(s);
            StringBuilder path = new StringBuilder(v.length * 12);
            boolean pen = false;
            for (int t = 0; t < v.length; t++) {
                if (Double.isNaN(v[t])) {
                    pen = false;
                    continue;
                }
                // A second's figure is drawn at its middle.
                double x = LEFT + plotW * (t + 0.5) / seconds;
                double y = TOP + plotH - plotH * Math.clamp(v[t] / top, 0, 1);
                path.append(pen ? 'L' : 'M').append(String.format(Locale.ROOT, "%.1f %.1f ", x, y));
                pen = true;
            }
            if (path.length() > 0) {
                h.append("<path class=\"series\" stroke=\"").append(l.colour()).append('"');
                if (!l.dash().isEmpty()) {
                    h.append(" stroke-dasharray=\"").append(l.dash()).append('"');
                }
                h.append(" d=\"").append(path.toString().strip()).append("\"/>\n");
            }
        }
        h.append("</svg></figure>\n");
    }

    /** "bystanders: 100% at the start, lowest 12% (at 9 s), 98% at the end; …": the chart for a screen reader. */
    static String describe(Measure m, LabReport.Series s) {
        List<String> parts = new ArrayList<>();
        for (Line l : m.lines()) {
            double[] v = l.values().apply(s);
            int lo = -1;
            int hi = -1;
            int first = -1;
            int last = -1;
            for (int t = 0; t < v.length; t++) {
                if (Double.isNaN(v[t])) {
                    continue;
                }
                first = first < 0 ? t : first;
                last = t;
                lo = lo < 0 || v[t] < v[lo] ? t : lo;
                hi = hi < 0 || v[t] > v[hi] ? t : hi;
            }
            if (first < 0) {
                parts.add(l.label() + ": no figures");
                continue;
            }
            parts.add(String.format(
                    Locale.ROOT,
                    "%s: %s%s at the start, lowest %s%s (at %d s), highest %s%s (at %d s), %s%s at the end",
                    l.label(),
                    number(v[first]),
                    m.unit(),
                    number(v[lo]),
                    m.unit(),
                    lo,
                    number(v[hi]),
                    m.unit(),
                    hi,
                    number(v[last]),
                    m.unit()));
        }
        return String.join("; ", parts) + ".";
    }

    /** A small inline SVG line sample for a key: the colour and dash of a line. */
    static void swatch(StringBuilder h, String colour, String dash) {
        h.append("<svg class=\"swatch\" width=\"26\" height=\"10\" aria-hidden=\"true\"><line x1=\"1\" y1=\"5\""
                        + " x2=\"25\" y2=\"5\" stroke=\"")
                .append(colour)
                .append('"');
        if (!dash.isEmpty()) {
            h.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        h.append("/></svg>");
    }

    static String dash(int i) {
        return DASHES[i % DASHES.length];
    }

    /** "1,234", "12", "3.5". */
    static String number(double v) {
        return Math.abs(v) >= 100 || v == Math.rint(v)
                ? String.format(Locale.ROOT, "%,.0f", v)
                : String.format(Locale.ROOT, "%.1f", v);
    }

    /** 1, 2 or 5 times a power of ten, at or above {@code v} (1 for 0). */
    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double k : new double[] {1, 2, 5, 10}) {
            if (k * p >= v) {
                return k * p;
            }
        }
        return 10 * p;
    }

    /** Seconds between x-axis labels: about five labels whatever the length. */
    private static int tickStep(int seconds) {
        for (int step : new int[] {5, 10, 15, 30, 60, 120, 300, 600}) {
            if (seconds / step <= 5) {
                return step;
            }
        }
        return 1200;
    }
}
