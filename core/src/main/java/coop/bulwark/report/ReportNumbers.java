package coop.bulwark.report;

/** Rounding of the report's figures: three decimals for rates and times, five for shares. */
final class ReportNumbers {
    private ReportNumbers() {}

    static double round(double v) {
        return Math.round(v * 1_000) / 1_000.0;
    }

    static double roundShare(double v) {
        return Math.round(v * 100_000) / 100_000.0;
    }
}
