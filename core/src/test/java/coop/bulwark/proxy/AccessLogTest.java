package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AccessLogTest {
    private static final DateTimeFormatter MILLIS =
            new DateTimeFormatterBuilder().appendInstant(3).toFormatter();

    @Test
    void time_isRfc3339WithMilliseconds_acrossSecondsAndDays() {
        SplittableRandom rnd = new SplittableRandom(7);
        long t = Instant.parse("2026-12-31T23:59:58Z").toEpochMilli();
        for (int i = 0; i < 5_000; i++) {
            t += rnd.nextInt(700); // crosses seconds, a day and a year, with repeats within a second
            StringBuilder b = new StringBuilder();
            AccessLog.time(b, t);
            assertThat(b.toString()).isEqualTo(MILLIS.format(Instant.ofEpochMilli(t)));
        }
        StringBuilder whole = new StringBuilder();
        AccessLog.time(whole, Instant.parse("2026-12-07T01:31:44Z").toEpochMilli());
        assertThat(whole.toString()).isEqualTo("2026-12-07T01:31:44.000Z");
        StringBuilder before1970 = new StringBuilder();
        AccessLog.time(before1970, Instant.parse("1969-12-31T23:59:59.250Z").toEpochMilli());
        assertThat(before1970.toString()).isEqualTo("1969-12-31T23:59:59.250Z");
    }

    @Test
    void millis_readsAsTheValueRoundedToTheMicrosecond() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 20_000; i++) {
            double ms = i % 2 == 0 ? rnd.nextDouble() * 5 : rnd.nextDouble() * 100_000;
            StringBuilder b = new StringBuilder();
            AccessLog.millis(b, ms);
            String text = b.toString();
            assertThat(text).matches("\\d+\\.\\d{1,3}");
            assertThat(Double.parseDouble(text)).isEqualTo(Math.round(ms * 1000) / 1000.0);
        }
        assertThat(format(0.017)).isEqualTo("0.017");
        assertThat(format(12)).isEqualTo("12.0");
        assertThat(format(1.05)).isEqualTo("1.05");
        assertThat(format(1.0004)).isEqualTo("1.0");
        assertThat(format(20_000_000.5)).isEqualTo("20000000.5");
    }

    private static String format(double ms) {
        StringBuilder b = new StringBuilder();
        AccessLog.millis(b, ms);
        return b.toString();
    }

    @Test
    void time_truncatesLikeTheInstant() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        StringBuilder b = new StringBuilder();
        AccessLog.time(b, now.toEpochMilli());
        assertThat(Instant.parse(b)).isEqualTo(now);
    }
}
