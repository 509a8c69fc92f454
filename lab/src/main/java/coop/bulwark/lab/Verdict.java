package coop.bulwark.lab;

import java.util.List;
import java.util.Locale;

/**
 * The lab's outcome in plain words, computed from the figures of a {@link LabReport}: the headline a board member
 * or a journalist reads first, and one sentence of detail. The same rules for every scenario: an attack scenario
 * (any attack request sent) compares what people lost with and without protection; a scenario without attack says
 * whether the edge stayed out of the way. Pure.
 *
 * @param headline e.g. "Without Bulwark, 82% of the other sites' visitors' requests got no page during the flood;
 *     with it, none did, and the 2 targeted sites stayed readable for people (97% of their requests answered)."
 * @param detail how fast the edge saw the attack and how much of it reached the origin; empty when nothing to add
 */
record Verdict(String headline, String detail) {
    /** The run without protection, when the lab made one (its name is the lab's, {@link Lab#run}). */
    static final String BASELINE = "unprotected";

    /** The protected run the headline speaks of, when the lab made one. */
    static final String PROTECTED = "bulwark";

    /** Below this share of people's requests lost, a site "kept working". */
    private static final double UNHARMED = 0.01;

    static Verdict of(LabReport report) {
        List<LabReport.Run> runs = report.runs();
        if (runs.isEmpty()) {
            return new Verdict("No run finished, so there is nothing to compare.", "");
        }
        LabReport.Run base = find(runs, BASELINE);
        LabReport.Run run = find(runs, PROTECTED);
        if (run == null) {
            run = runs.get(runs.size() - 1);
        }
        if (run == base) {
            base = null;
        }
        String name = run.name().equals(PROTECTED) ? "Bulwark" : run.name();
        boolean attacked = runs.stream().anyMatch(r -> r.attack().requestsSent() > 0);
        return attacked ? attack(report, base, run, name) : quiet(base, run, name);
    }

    private static Verdict attack(LabReport report, LabReport.Run base, LabReport.Run run, String name) {
        StringBuilder h = new StringBuilder(256);
        Double lost = lost(run.bystanders().legitSuccessRate());
        if (base != null && lost(base.bystanders().legitSuccessRate()) != null) {
            Double baseLost = lost(base.bystanders().legitSuccessRate());
            h.append("Without ").append(name).append(", ");
            h.append(
                    baseLost < UNHARMED
                            ? "the other sites kept working during the flood (" + share(baseLost)
                                    + " of their visitors'" + " requests got no page)"
                            : share(baseLost) + " of the other sites' visitors' requests got no page during the flood");
            h.append("; with it, ").append(lost == null ? "no visitor was measured" : lostWith(lost));
        } else {
            h.append("With ").append(name).append(", ");
            h.append(
                    lost == null
                            ? "no visitor of the other sites was measured"
                            : lost < UNHARMED
                                    ? "the other sites kept working during the flood (" + share(lost)
                                            + " of their visitors' requests got no page)"
                                    : share(lost) + " of the other sites' visitors' requests got no page during the"
                                            + " flood");
        }
        int targets = run.targets().sites().size();
        Double served = run.targets().legitSuccessRate();
        if (targets > 0 && served != null) {
            String sites = targets == 1 ? "the targeted site" : "the " + targets + " targeted sites";
            String answered = " (" + share(served) + " of their visitors' requests answered)";
            h.append(", and ").append(sites);
            h.append(
                    served >= 0.9
                            ? " stayed readable for people" + answered
                            : served >= 0.5
                                    ? " stayed reachable but slow for people" + answered
                                    : (targets == 1 ? " was" : " were") + " hard to reach for people" + answered);
        }
        h.append('.');
        StringBuilder d = new StringBuilder(200);
        LabReport.Attack a = run.attack();
        if (a.detectedAfterS() != null) {
            d.append(name)
                    .append(" detected the flood ")
                    .append(seconds(a.detectedAfterS()))
                    .append(" after it began");
        } else {
            d.append(name).append(" declared no attack");
        }
        d.append("; ")
                .append(count(a.requestsReachingOrigin()))
                .append(" of ")
                .append(count(a.requestsSent()))
                .append(" attack requests reached the shared origin");
        if (base != null) {
            d.append(", against ")
                    .append(count(base.attack().requestsReachingOrigin()))
                    .append(" of ")
                    .append(count(base.attack().requestsSent()))
                    .append(" without it");
        }
        d.append('.');
        return new Verdict(h.toString(), d.toString());
    }

    private static Verdict quiet(LabReport.Run base, LabReport.Run run, String name) {
        StringBuilder h = new StringBuilder(200);
        Double lost = lost(run.bystanders().legitSuccessRate());
        h.append("No attack in this scenario: ").append(name);
        int declared = run.attack().attacksDeclared();
        h.append(
                declared == 0
                        ? " declared none"
                        : " wrongly declared " + declared + (declared == 1 ? " attack" : " attacks"));
        if (lost != null) {
            h.append(" and ").append(lost < UNHARMED ? "kept every site working" : "cost people some pages");
            Double baseLost = base == null ? null : lost(base.bystanders().legitSuccessRate());
            if (lost == 0 && (baseLost == null || baseLost == 0)) {
                h.append(" (every visitor's request was answered")
                        .append(baseLost == null ? ")" : ", with it and without it)");
            } else {
                h.append(" (").append(share(lost)).append(" of visitors' requests got no page");
                if (baseLost != null) {
                    h.append(", ").append(share(baseLost)).append(" without it");
                }
                h.append(')');
            }
        }
        h.append('.');
        return new Verdict(h.toString(), "");
    }

    private static String lostWith(double lost) {
        if (lost == 0) {
            return "none did";
        }
        return lost < UNHARMED ? "only " + share(lost) + " did" : share(lost) + " did";
    }

    private static LabReport.Run find(List<LabReport.Run> runs, String name) {
        return runs.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    private static Double lost(Double successRate) {
        return successRate == null ? null : Math.max(0, 1 - successRate);
    }

    /** "82%", "4.3%", "0.05%", "0%": whole percents from 10%, more digits below, so a small loss never reads 0%. */
    static String share(double v) {
        double p = v * 100;
        if (p == 0) {
            return "0%";
        }
        if (p >= 10) {
            // 99.7% is not 100%: a share that is not whole never rounds up to it.
            return Math.round(p) == 100 && p < 100
                    ? String.format(Locale.ROOT, "%.1f%%", Math.min(p, 99.9))
                    : String.format(Locale.ROOT, "%.0f%%", p);
        }
        return p >= 1 ? String.format(Locale.ROOT, "%.1f%%", p) : String.format(Locale.ROOT, "%.2f%%", p);
    }

    private static String seconds(double s) {
        return s == Math.rint(s) ? String.format(Locale.ROOT, "%.0f s", s) : String.format(Locale.ROOT, "%.1f s", s);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
