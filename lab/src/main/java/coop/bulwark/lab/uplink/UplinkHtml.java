package coop.bulwark.lab.uplink;

import coop.bulwark.html.HtmlText;
import coop.bulwark.lab.LabReport;
import java.util.List;
import java.util.Locale;

/**
 * The uplink lab's page: for each run, one chart on the run's time axis with the uplink's utilisation (at the
 * router), the bystanders' and the targets' success each second, the flood shaded and every announcement the router
 * held drawn as a band from its arrival to its withdrawal; then the figures. Self-contained (inline SVG, no script).
 */
final class UplinkHtml {
    private static final int W = 900;
    private static final int H = 260;
    private static final int LEFT = 48;
    private static final int RIGHT = 16;
    private static final int TOP = 16;
    private static final int BOTTOM = 34;

    private UplinkHtml() {}

    static String render(LabReport report, List<UplinkLab.RunView> views) {
        StringBuilder b = new StringBuilder(32_768);
        b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>bulwark lab: uplink</title><style>")
                .append("body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:960px;padding:0 1rem;")
                .append("color:#1d232a}svg{width:100%;height:auto;display:block}table{border-collapse:collapse;")
                .append("margin:.5rem 0 1.5rem}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:")
                .append("right}th:first-child,td:first-child{text-align:left}.key span{display:inline-block;")
                .append("margin-right:1rem}.sw{display:inline-block;width:1.4rem;height:.3rem;vertical-align:middle;")
                .append("margin-right:.3rem}.scroll{overflow-x:auto}</style></head><body>");
        b.append("<h1>The uplink lab</h1><p>")
                .append(HtmlText.escape(String.format(
                        Locale.ROOT,
                        "%d sites behind a shaped uplink; an HTTP flood on two of them, then a UDP flood four times"
                                + " the uplink's capacity toward their address. %d s per run. %s",
                        report.sites(),
                        report.durationS(),
                        report.machine())))
                .append("</p><p class=\"key\"><span><i class=\"sw\" style=\"background:#2563eb\"></i>uplink")
                .append(" utilisation</span><span><i class=\"sw\" style=\"background:#15803d\"></i>bystanders'")
                .append(" success</span><span><i class=\"sw\" style=\"background:#c2410c\"></i>targets'")
                .append(" success</span><span><i class=\"sw\" style=\"background:#a855f7;opacity:.35\"></i>")
                .append("announcement held by the router</span></p>");
        for (int i = 0; i < views.size(); i++) {
            UplinkLab.RunView v = views.get(i);
            LabReport.Run r = report.runs().get(i);
            b.append("<h2>").append(HtmlText.escape(v.name())).append("</h2>");
            chart(b, v);
            figures(b, r);
        }
        return b.append("</body></html>").toString();
    }

    private static void chart(StringBuilder b, UplinkLab.RunView v) {
        int n = v.utilisation().length;
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        b.append("<svg viewBox=\"0 0 ")
                .append(W)
                .append(' ')
                .append(H)
                .append("\" role=\"img\" aria-label=\"")
                .append(HtmlText.escape(v.name()))
                .append(": uplink utilisation, success and announcements per second\">");
        // The flood, shaded.
        b.append(String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#fee2e2\"/>",
                x(v.httpFrom(), n, plotW),
                TOP,
                x(v.floodTo(), n, plotW) - x(v.httpFrom(), n, plotW),
                plotH));
        int row = 0;
        for (LabReport.UpstreamAnnouncement a : v.announcements()) {
            double to = a.withdrawnAtS() == null ? n : a.withdrawnAtS();
            double x0 = x(a.announcedAtS(), n, plotW);
            b.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"8\" fill=\"#a855f7\" opacity=\".35\">"
                            + "<title>%s %s at %.1f s</title></rect>",
                    x0,
                    TOP + 2 + row * 10.0,
                    Math.max(1, x(to, n, plotW) - x0),
                    HtmlText.escape(a.kind()),
                    HtmlText.escape(a.match()),
                    a.announcedAtS()));
            b.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" fill=\"#6b21a8\">%s</text>",
                    x0 + 2,
                    TOP + 9 + row * 10.0,
                    HtmlText.escape(a.kind().equals("rtbh") ? "RTBH " + a.match() : "FlowSpec " + a.match())));
            row = (row + 1) % 8;
        }
        for (int pct = 0; pct <= 100; pct += 25) {
            double y = TOP + plotH * (1 - pct / 100.0);
            b.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%d%%</text>",
                    LEFT,
                    W - RIGHT,
                    y,
                    y,
                    LEFT - 6,
                    y + 4,
                    pct));
        }
        for (int s = 0; s <= n; s += 10) {
            b.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%d s</text>",
                    x(s, n, plotW),
                    H - 12,
                    s));
        }
        line(b, v.utilisation(), n, plotW, plotH, "#2563eb", "");
        line(b, v.bystanderSuccess(), n, plotW, plotH, "#15803d", "");
        line(b, v.targetSuccess(), n, plotW, plotH, "#c2410c", " stroke-dasharray=\"4 3\"");
        b.append("</svg>");
    }

    /** A polyline of per-second values (0–1, drawn at each second's middle); gaps where a second has no value. */
    private static void line(
            StringBuilder b, double[] values, int n, double plotW, double plotH, String colour, String extra) {
        StringBuilder pts = new StringBuilder();
        for (int s = 0; s <= values.length; s++) {
            double v = s < values.length ? values[s] : Double.NaN;
            if (Double.isNaN(v)) {
                if (pts.length() > 0) {
                    b.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
                            .append(colour)
                            .append('"')
                            .append(extra)
                            .append(" points=\"")
                            .append(pts)
                            .append("\"/>");
                    pts.setLength(0);
                }
                continue;
            }
            double y = TOP + plotH * (1 - Math.min(1.05, Math.max(0, v)));
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(s + 0.5, n, plotW), y));
        }
    }

    private static double x(double second, int n, double plotW) {
        return LEFT + plotW * second / Math.max(1, n);
    }

    private static void figures(StringBuilder b, LabReport.Run r) {
        b.append("<div class=\"scroll\"><table><tr><th>figure</th><th>value</th></tr>");
        row(b, "bystanders' success during the flood", pct(r.bystanders().legitSuccessRate()));
        row(b, "bystanders' success after the relief", pct(r.bystanders().afterReliefSuccessRate()));
        row(b, "targets' success during the flood", pct(r.targets().legitSuccessRate()));
        if (r.uplink() != null) {
            row(b, "uplink: peak utilisation", pct(r.uplink().peakUtilisation()));
            row(b, "uplink: seconds at ≥ 90 %", Integer.toString(r.uplink().saturatedSeconds()));
        }
        if (r.upstream() != null) {
            row(b, "first announcement after the saturation", secs(r.upstream().firstAnnouncementAfterS()));
            row(b, "relief after the first announcement", secs(r.upstream().reliefAfterS()));
            for (LabReport.UpstreamAnnouncement a : r.upstream().announcements()) {
                row(
                        b,
                        a.kind() + " " + a.match(),
                        String.format(Locale.ROOT, "%.1f s", a.announcedAtS())
                                + (a.withdrawnAtS() == null
                                        ? ""
                                        : String.format(Locale.ROOT, " – %.1f s", a.withdrawnAtS())));
            }
        }
        row(b, "attack declared after", secs(r.attack().detectedAfterS()));
        row(b, "sites named as targets", String.join(", ", r.attack().namedTargets()));
        b.append("</table></div>");
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append("<tr><td>")
                .append(HtmlText.escape(name))
                .append("</td><td>")
                .append(HtmlText.escape(value))
                .append("</td></tr>");
    }

    private static String pct(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.1f %%", v * 100);
    }

    private static String secs(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.1f s", v);
    }
}
