package coop.bulwark.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.report.IncidentReport;
import coop.bulwark.report.ReportJson;
import coop.bulwark.report.ReportWriter;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log: one JSON line per state change, attack event and mitigation on the {@code bulwark.events} logger
 * (logback.xml sends it, message only, to stderr; point it elsewhere there). The fields are those of the webhook
 * bodies (docs/reports.md) without the delivery id. A few lines per second at most, so written in the caller's
 * thread. Thread-safe.
 */
public final class EventLog {
    public static final String LOGGER = "bulwark.events";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private EventLog() {}

    /** Logs a tick's events. */
    public static void log(List<DetectionEvent> events) {
        for (DetectionEvent e : events) {
            log(e, null, null);
        }
    }

    /**
     * Logs one event; for {@code AttackEnded} with its report's summary and files when given.
     *
     * @param report may be null
     * @param files may be null
     */
    public static void log(DetectionEvent e, IncidentReport report, ReportWriter.ReportFiles files) {
        if (LOG.isInfoEnabled()) {
            LOG.info(EventBodies.of(e, report, files).toString());
        }
    }

    /** Logs a mitigation applied outside the detector (a ban, a challenge, a forced state). */
    public static void mitigation(Instant at, String site, String kind, String detail) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        ObjectNode o = ReportJson.mapper().createObjectNode();
        o.put("event", "mitigation");
        o.put("at", at.toString());
        if (site == null) {
            o.putNull("site");
        } else {
            o.put("site", site);
        }
        o.put("kind", kind);
        o.put("detail", detail);
        LOG.info(o.toString());
    }
}
