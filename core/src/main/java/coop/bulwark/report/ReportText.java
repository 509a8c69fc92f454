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
 * The words and numbers shared by the Markdown and HTML reports in one {@link ReportLanguage}: the summary
 * paragraph, the timeline entries, and how figures are spelled. Every piece of text that comes from config or
 * clients (site names, mitigation details, reasons) passes through the caller's escaper. Immutable.
 */
final class ReportText {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    static final int MAX_TIMELINE_ROWS = 200;

    private final ReportLanguage lang;

    ReportText(ReportLanguage lang) {
        this.lang = lang;
    }

    ReportLanguage language() {
        return lang;
    }

    /** The phrase in this language, with its placeholders filled. */
    String say(Phrase p, Object... args) {
        return p.in(lang, args);
    }

    static String time(Instant t) {
        return t == null ? "-" : TIME.format(t);
    }

    String day(Instant t) {
        return lang.day(t);
    }

    /** "3 min 35 s", "39 min", "1 h 12 min", "2 s": symbols, the same in every language. */
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

    String seconds(Double s) {
        if (s == null) {
            return "-";
        }
        return s < 10 && s != Math.rint(s) ? lang.decimal(s) + " s" : duration(Duration.ofMillis(Math.round(s * 1000)));
    }

    /** A count or rate: "2,129", "16", "7.9", "0.35" (in English). */
    String number(double v) {
        return lang.number(v);
    }

    String number(Double v) {
        return v == null ? "-" : number(v.doubleValue());
    }

    /** A share as a percentage: two decimals near 100% (where the difference matters), else one. */
    String percent(Double share) {
        return share == null ? "-" : lang.percent(share);
    }

    /** "a", "a and b", "a, b and c". */
    String list(List<String> items) {
        if (items.size() <= 1) {
            return items.isEmpty() ? "" : items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + say(Phrase.AND) + items.get(items.size() - 1);
    }

    /** The report's opening paragraph in plain words, site names passed through {@code esc}. */
    String summary(IncidentReport r, UnaryOperator<String> esc) {
        StringBuilder b = new StringBuilder(512);
        Instant from = r.onset() != null ? r.onset() : r.start();
        List<String> names = r.targetNames().stream().map(esc).toList();
        boolean one = names.size() == 1;
        if (r.end() != null) {
            b.append(say(
                    one ? Phrase.WHEN_ENDED_ONE : Phrase.WHEN_ENDED_MANY,
                    time(from),
                    time(r.end()),
                    day(from),
                    duration(r.duration()),
                    list(names)));
        } else {
            b.append(say(
                    one ? Phrase.WHEN_ONGOING_ONE : Phrase.WHEN_ONGOING_MANY,
                    time(from),
                    day(from),
                    duration(r.duration()),
                    list(names)));
        }
        b.append(say(Phrase.FLOOD, number(r.peakRps())));
        double usual = r.targets().stream()
                .mapToDouble(IncidentReport.Target::baselineRps)
                .sum();
        if (usual >= 0.5) {
            double times = r.peakRps() / usual;
            b.append(say(
                    one ? Phrase.TIMES_USUAL_ONE : Phrase.TIMES_USUAL_MANY,
                    number(times >= 10 ? Math.round(times) : Math.round(times * 10) / 10.0),
                    number(usual)));
        } else {
            b.append(say(one ? Phrase.USUALLY_QUIET_ONE : Phrase.USUALLY_QUIET_MANY));
        }
        if (r.signature().distinctSourcesPeak() > 0) {
            b.append(say(Phrase.FROM_SOURCES, number(Math.round(r.signature().distinctSourcesPeak()))));
        }
        List<String> prefixes = new ArrayList<>();
        for (IncidentReport.Prefix p : r.topPrefixes()) {
            if (prefixes.size() == 3 || p.share() < 0.01) {
                break;
            }
            prefixes.add(esc.apply(p.prefix()) + " (" + percent(p.share()) + ")");
        }
        if (!prefixes.isEmpty()) {
            b.append(say(Phrase.HEAVIEST, list(prefixes)));
        }
        b.append(say(Phrase.DETECTED, seconds(r.timeToDetectS())));
        if (r.timeToMitigateS() != null) {
            b.append(say(Phrase.MITIGATED, seconds(r.timeToMitigateS())));
            IncidentReport.Effect e = r.effect();
            if (e.originRpsBefore() != null && e.originRpsAfter() != null) {
                b.append(say(
                        one ? Phrase.ORIGIN_FELL_ONE : Phrase.ORIGIN_FELL_MANY,
                        number(e.originRpsBefore()),
                        number(e.originRpsAfter())));
                if (e.originRpsBaseline() != null) {
                    b.append(say(Phrase.USUAL_RATE, number(e.originRpsBaseline())));
                }
            }
        } else {
            b.append(say(Phrase.NO_MITIGATION_RECORDED));
        }
        b.append(".");
        IncidentReport.Collateral c = r.collateral();
        if (c.sites() > 0 && c.successShare() != null) {
            b.append(say(
                    c.sites() == 1 ? Phrase.OTHERS_ONE : Phrase.OTHERS_MANY,
                    percent(c.successShare()),
                    number(c.requests()),
                    number(c.sites())));
            if (c.successShareBefore() != null) {
                b.append(say(Phrase.BEFORE_THE_ATTACK, percent(c.successShareBefore())));
            }
            if (c.originMillis() != null) {
                b.append(say(Phrase.ORIGINS_ANSWERING, number(c.originMillis())));
                if (c.originMillisBefore() != null) {
                    b.append(say(Phrase.MS_BEFORE, number(c.originMillisBefore())));
                }
            }
            b.append(".");
        }
        return b.toString();
    }

    /** One timeline row: time, site (or null), what happened (not escaped). */
    record Row(Instant at, String site, String what) {}

    /** The attack's events in time order: state changes, mitigations, its start and end; at most 200 rows. */
    List<Row> timeline(IncidentReport r) {
        List<Row> rows = new ArrayList<>();
        for (IncidentReport.StateChange c : r.stateChanges()) {
            rows.add(new Row(c.at(), c.site(), c.from() + " → " + c.to() + ": " + c.reason()));
        }
        for (IncidentReport.Mitigation m : r.mitigations()) {
            rows.add(new Row(
                    m.at(),
                    m.site(),
                    say(Phrase.EVENT_MITIGATION, m.kind()) + (m.detail().isEmpty() ? "" : ": " + m.detail())));
        }
        if (r.onset() != null && r.onset().isBefore(r.detectedAt())) {
            rows.add(new Row(r.onset(), null, say(Phrase.EVENT_ONSET)));
        }
        rows.add(new Row(r.detectedAt(), null, say(Phrase.EVENT_DECLARED, String.join(", ", r.targetNames()))));
        if (r.end() != null) {
            rows.add(new Row(r.end(), null, say(Phrase.EVENT_OVER)));
        }
        rows.sort(Comparator.comparing(Row::at));
        return rows.size() > MAX_TIMELINE_ROWS ? rows.subList(0, MAX_TIMELINE_ROWS) : rows;
    }

    /** The sentence on the mitigations' effect on the targets' origins (plain text: numbers and times only). */
    String effect(IncidentReport.Effect e) {
        StringBuilder b =
                new StringBuilder(say(Phrase.EFFECT, number(e.originRpsBaseline()), number(e.originRpsBefore())));
        if (e.mitigatedAt() != null) {
            b.append(say(
                    Phrase.EFFECT_AFTER,
                    time(e.mitigatedAt()),
                    number(e.originRpsAfter()),
                    number(e.requestsRpsAfter())));
        }
        return b.append('.').toString();
    }

    /** "90.1% GET, 9.9% POST": the non-zero methods, largest first. */
    String methods(IncidentReport.MethodMix m) {
        record Part(String name, Double share) {}
        List<Part> parts = new ArrayList<>();
        parts.add(new Part("GET", m.get()));
        parts.add(new Part("HEAD", m.head()));
        parts.add(new Part("POST", m.post()));
        parts.add(new Part(say(Phrase.OTHER_METHODS), m.other()));
        parts.removeIf(p -> p.share() == null || p.share() <= 0);
        parts.sort((a, b) -> Double.compare(b.share(), a.share()));
        List<String> out = new ArrayList<>();
        for (Part p : parts) {
            out.add(percent(p.share()) + " " + p.name());
        }
        return out.isEmpty() ? say(Phrase.NO_REQUESTS_COUNTED) : String.join(", ", out);
    }
}
