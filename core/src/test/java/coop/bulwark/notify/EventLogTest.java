package coop.bulwark.notify;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class EventLogTest {
    @Test
    void log_oneJsonLinePerEventOnTheEventsLogger() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(EventLog.LOGGER);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            EventLog.log(List.of(WebhooksTest.change(3), WebhooksTest.started()));
            EventLog.mitigation(Instant.parse("2026-11-25T10:02:20Z"), null, "nftables_export", "12 \"prefixes\"");
        } finally {
            logger.detachAppender(lines);
        }
        assertThat(lines.list).hasSize(3);
        ObjectMapper json = new ObjectMapper();
        JsonNode change = json.readTree(lines.list.get(0).getFormattedMessage());
        assertThat(change.get("event").asText()).isEqualTo("state_changed");
        assertThat(change.get("site").asText()).isEqualTo("site7.coop");
        assertThat(change.get("reason").asText()).isEqualTo("n=3");
        assertThat(json.readTree(lines.list.get(1).getFormattedMessage())
                        .at("/attack/id")
                        .asText())
                .isEqualTo("atk-1-1");
        JsonNode mitigation = json.readTree(lines.list.get(2).getFormattedMessage());
        assertThat(mitigation.get("site").isNull()).isTrue();
        assertThat(mitigation.get("detail").asText()).isEqualTo("12 \"prefixes\"");
        assertThat(lines.list)
                .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("\n"));
    }
}
