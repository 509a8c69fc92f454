package coop.bulwark.cache;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * Parses HTTP-date values (RFC 9110 §5.6.7) for {@code Date} and {@code Expires}: IMF-fixdate and, as recipients
 * must, the obsolete RFC 850 and asctime forms. Thread-safe (formatters are immutable).
 */
final class HttpDate {
    /** Returned for a value that is not a valid HTTP-date. */
    static final long INVALID = Long.MIN_VALUE;

    private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .appendPattern("EEEE, dd-MMM-")
            // RFC 9110 §5.6.7: a two-digit year more than 50 years ahead means the past century.
            .appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
            .appendPattern(" HH:mm:ss 'GMT'")
            .toFormatter(Locale.US);
    private static final DateTimeFormatter ASCTIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .appendPattern("EEE MMM ppd HH:mm:ss yyyy")
            .toFormatter(Locale.US);

    private HttpDate() {}

    /** Milliseconds since the epoch, or {@link #INVALID}. */
    static long parseMillis(String value) {
        if (value == null) {
            return INVALID;
        }
        String v = value.strip();
        if (v.length() < 24) {
            // Shorter than any valid form (asctime is 24 chars); origins often send "0" or "-1" for "expired".
            return INVALID;
        }
        try {
            return DateTimeFormatter.RFC_1123_DATE_TIME.parse(v, Instant::from).toEpochMilli();
        } catch (DateTimeParseException e) {
            // not IMF-fixdate; try the obsolete forms (rare, so the exception cost does not matter)
        }
        for (DateTimeFormatter f : new DateTimeFormatter[] {RFC_850, ASCTIME}) {
            try {
                return LocalDateTime.parse(v, f).toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e) {
                // try the next form
            }
        }
        return INVALID;
    }
}
