package coop.bulwark.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A language incident reports are written in, and how it writes figures: numbers and percentages with the
 * separators of its locale (CLDR, as the JDK ships it), days as its readers write dates; times of day are
 * {@code HH:mm:ss} UTC in every language. The words themselves are in {@link Phrase}.
 *
 * <p>{@link #code()} is a contract name: {@code reports.languages} in the config, the {@code lang} parameter of the
 * admin API, the {@code <id>.<code>.md} file names (docs/reports.md).
 */
public enum ReportLanguage {
    EN("en", Locale.ENGLISH, "yyyy-MM-dd", "%"),
    // The RAE's orthography puts a space before the percent sign; a no-break one keeps "82,0 %" on one line.
    ES("es", Locale.forLanguageTag("es"), "d 'de' MMMM 'de' yyyy", "\u00a0%");

    private final String code;
    private final Locale locale;
    private final DateTimeFormatter day;
    private final String percentSign;

    ReportLanguage(String code, Locale locale, String dayPattern, String percentSign) {
        this.code = code;
        this.locale = locale;
        this.day = DateTimeFormatter.ofPattern(dayPattern, locale).withZone(ZoneOffset.UTC);
        this.percentSign = percentSign;
    }

    /** The ISO 639-1 code: {@code en}, {@code es}. */
    public String code() {
        return code;
    }

    /** The language with this code. */
    public static ReportLanguage of(String code) {
        for (ReportLanguage l : values()) {
            if (l.code.equals(code)) {
                return l;
            }
        }
        throw new IllegalArgumentException("lang: " + code + " (expected: one of " + codes() + ")");
    }

    /** Every code, in declaration order. */
    public static List<String> codes() {
        return Arrays.stream(values()).map(ReportLanguage::code).toList();
    }

    /** A count or rate: "2,129", "16", "7.9", "0.35" in English; "2.129", "7,9", "0,35" in Spanish. */
    String number(double v) {
        double a = Math.abs(v);
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(locale, "%,.0f", v);
        }
        return String.format(locale, a >= 10 ? "%.1f" : "%.2f", v);
    }

    /** A share as a percentage: two decimals near 100% (where the difference matters), else one. */
    String percent(double share) {
        double p = share * 100;
        return String.format(locale, p >= 99 && p < 100 ? "%.2f" : "%.1f", p) + percentSign;
    }

    /** A one-decimal figure: "2.5" or "2,5". */
    String decimal(double v) {
        return String.format(locale, "%.1f", v);
    }

    /** The UTC day: "2026-11-25" in English, "25 de noviembre de 2026" in Spanish. */
    String day(Instant t) {
        return day.format(t);
    }
}
