package coop.bulwark.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The words and numbers shared by the Markdown and HTML reports: the summary paragraph, the timeline entries, and
 * how figures are spelled. Every piece of text that comes from config or clients (site names, mitigation details,
 * reasons) passes through the caller's escaper. Stateless.
 */
final class ReportText {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);
    static final int MAX_TIMELINE_ROWS = 200;

    private ReportText() {}

    static String time(Instant t) {
        return t == null ? "-" : TIME.format(t);
    }

    static String day(Instant t) {
        return DAY.format(t);
    }

    /** "3 min 35 s", "39 min", "1 h 12 min", "2 s". */
    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 600) {
            return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
        }
        if (s < 3600) {
            return Math.round(s / 60.0) + " min";
        }
        long m = Math.round(s / 60.0);
        return m / 60 + " h" + (m % 60 == 0 ? "" : " " + m % 60 + " min");
    }

    static String seconds(Double s) {
        if (s == null) {
            return "-";
        }
        return s < 10 && s != Math.rint(s)
                ? String.format(Locale.ROOT, "%.1f s", s)
                : duration(Duration.ofMillis(Math.round(s * 1000)));
    }

    /** A count or rate: "2,129", "16", "7.9", "0.35". */
    static String number(double v) {
        double a = Math.abs(v);
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, a >= 10 ? "%.1f" : "%.2f", v);
    }

    static String number(Double v) {
        return v == null ? "-" : number(v.doubleValue());
    }

    /** A share as a percentage: two decimals near 100% (where the difference matters), else one. */
    static String percent(Double share) {
        if (share == null) {
            return "-";
        }
        double p = share * 100;
        return String.format(Locale.ROOT, p >= 99 && p < 100 ? "%.2f%%" : "%.1f%%", p);
    }

    /** "a", "a and b", "a, b and c". */
    static String list(List<String> items) {
        if (items.size() <= 1) {
            return items.isEmpty() ? "" : items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    /** The report's opening paragraph in plain words, site names passed through {@code esc}. */
    static String summary(IncidentReport r, UnaryOperator<String> esc) {
        StringBuilder b = new StringBuilder(512);
        Instant from = r.onset() != null ? r.onset() : r.start();
        List<String> names = r.targetNames().stream().map(esc).toList();
        if (r.end() != null) {
            b.append("From ")
                    .append(time(from))
                    .append(" to ")
                    .append(time(r.end()))
                    .append(" UTC on ")
                    .append(day(from));
            b.append(" (").append(duration(r.duration())).append(")");
        } else {
            b.append("Since ").append(time(from)).append(" UTC on ").append(day(from));
            b.append(" (ongoing, ").append(duration(r.duration())).append(" so far)");
        }
        b.append(names.size() == 1 ? " the site " : " the sites ").append(list(names));
        b.append(r.end() != null ? " received" : names.size() == 1 ? " has been receiving" : " have been receiving");
        b.append(" a flood of up to ").append(number(r.peakRps())).append(" requests/s");
        double usual = r.targets().stream()
                .mapToDouble(IncidentReport.Target::baselineRps)
                .sum();
        if (usual >= 0.5) {
            double times = r.peakRps() / usual;
            b.append(", about ")
                    .append(number(times >= 10 ? Math.round(times) : Math.round(times * 10) / 10.0))
                    .append(" times ")
                    .append(names.size() == 1 ? "its" : "their")
                    .append(" usual traffic (")
                    .append(number(usual))
                    .append(" requests/s)");
        } else {
            b.append(", where ")
                    .append(names.size() == 1 ? "it" : "they")
                    .append(" usually see less than one request/s");
        }
        if (r.signature().distinctSourcesPeak() > 0) {
            b.append(", from up to ")
                    .append(number(Math.round(r.signature().distinctSourcesPeak())))
                    .append(" distinct source addresses per second");
        }
        List<String> prefixes = new ArrayList<>();
        for (IncidentReport.Prefix p : r.topPrefixes()) {
            if (prefixes.size() == 3 || p.share() < 0.01) {
                break;
            }
            prefixes.add(esc.apply(p.prefix()) + " (" + percent(p.share()) + ")");
        }
        if (!prefixes.isEmpty()) {
            b.append(", the heaviest networks being ").append(list(prefixes));
        }
        b.append(". Bulwark detected it within ").append(seconds(r.timeToDetectS()));
        if (r.timeToMitigateS() != null) {
            b.append(" and mitigated it ").append(seconds(r.timeToMitigateS())).append(" after it began");
            IncidentReport.Effect e = r.effect();
            if (e.originRpsBefore() != null && e.originRpsAfter() != null) {
                b.append("; the requests reaching ")
                        .append(names.size() == 1 ? "its" : "their")
                        .append(" origin servers fell from ")
                        .append(number(e.originRpsBefore()))
                        .append("/s to ")
                        .append(number(e.originRpsAfter()))
                        .append("/s");
                if (e.originRpsBaseline() != null) {
                    b.append(" (usual: ").append(number(e.originRpsBaseline())).append("/s)");
                }
            }
        } else {
            b.append("; no mitigation was recorded");
        }
        b.append(".");
        IncidentReport.Collateral c = r.collateral();
        if (c.sites() > 0 && c.successShare() != null) {
            b.append(" The other ")
                    .append(c.sites())
                    .append(c.sites() == 1 ? " site: " : " sites: ")
                    .append(percent(c.successShare()))
                    .append(" of their ")
                    .append(number(c.requests()))
                    .append(" requests were served without error");
            if (c.successShareBefore() != null) {
                b.append(" (").append(percent(c.successShareBefore())).append(" before the attack)");
            }
            if (c.originMillis() != null) {
                b.append(", with their origins answering in ")
                        .append(number(c.originMillis()))
                        .append(" ms on average");
                if (c.originMillisBefore() != null) {
                    b.append(" (").append(number(c.originMillisBefore())).append(" ms before)");
                }
            }
            b.append(".");
        }
        return b.toString();
    }

    /** One timeline row: time, site (or null), what happened (not escaped). */
    record Row(Instant at, String site, String what) {}

    /** The attack's events in time order: state changes, mitigations, its start and end; at most 200 rows. */
    static List<Row> timeline(IncidentReport r) {
        List<Row> rows = new ArrayList<>();
        for (IncidentReport.StateChange c : r.stateChanges()) {
            rows.add(new Row(c.at(), c.site(), c.from() + " → " + c.to() + ": " + c.reason()));
        }
        for (IncidentReport.Mitigation m : r.mitigations()) {
            rows.add(new Row(
                    m.at(), m.site(), "mitigation " + m.kind() + (m.detail().isEmpty() ? "" : ": " + m.detail())));
        }
        if (r.onset() != null && r.onset().isBefore(r.detectedAt())) {
            rows.add(new Row(r.onset(), null, "onset: the first sign of the flood"));
        }
        rows.add(
                new Row(r.detectedAt(), null, "attack declared (targets: " + String.join(", ", r.targetNames()) + ")"));
        if (r.end() != null) {
            rows.add(new Row(r.end(), null, "attack over: every target back to normal"));
        }
        rows.sort(Comparator.comparing(Row::at));
        return rows.size() > MAX_TIMELINE_ROWS ? rows.subList(0, MAX_TIMELINE_ROWS) : rows;
    }

    /** "90.1% GET, 9.9% POST": the non-zero methods, largest first. */
    /** The sentence on the mitigations' effect on the targets' origins (plain text: numbers and times only). */
    static String effect(IncidentReport.Effect e) {
        StringBuilder b = new StringBuilder("Requests reaching the targets' origin servers: ")
                .append(number(e.originRpsBaseline()))
                .append("/s usually, ")
                .append(number(e.originRpsBefore()))
                .append("/s from the onset to the first mitigation");
        if (e.mitigatedAt() != null) {
            b.append(" (")
                    .append(time(e.mitigatedAt()))
                    .append("), ")
                    .append(number(e.originRpsAfter()))
                    .append("/s after it while the targets were under attack, though they still received ")
                    .append(number(e.requestsRpsAfter()))
                    .append(" requests/s");
        }
        return b.append('.').toString();
    }

    static String methods(IncidentReport.MethodMix m) {
        List<Object[]> parts = new ArrayList<>();
        parts.add(new Object[] {"GET", m.get()});
        parts.add(new Object[] {"HEAD", m.head()});
        parts.add(new Object[] {"POST", m.post()});
        parts.add(new Object[] {"other methods", m.other()});
        parts.removeIf(p -> p[1] == null || (Double) p[1] <= 0);
        parts.sort((a, b) -> Double.compare((Double) b[1], (Double) a[1]));
        List<String> out = new ArrayList<>();
        for (Object[] p : parts) {
            out.add(percent((Double) p[1]) + " " + p[0]);
        }
        return out.isEmpty() ? "no requests counted" : String.join(", ", out);
    }
}
