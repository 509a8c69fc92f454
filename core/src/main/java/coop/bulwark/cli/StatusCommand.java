package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;

/** {@code bulwark status}: version, transport, uptime, config generation and edge-wide totals. */
@Command(name = "status", description = "Show the running edge: version, uptime, config generation, totals.")
final class StatusCommand extends AdminCommand {
    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        if (admin.json) {
            out.print(client.call("GET", "api/status", null));
            return;
        }
        JsonNode s = client.callJson("GET", "api/status", null);
        JsonNode t = s.path("totals");
        new TextTable("key", "value")
                .row("version", s.path("version").asText())
                .row("transport", s.path("transport").asText("-"))
                .row("uptime", s.path("uptime_seconds").asLong() + "s")
                .row(
                        "config",
                        s.path("config_file").asText() + " (generation "
                                + s.path("config_generation").asLong() + ")")
                .row(
                        "sites",
                        s.path("sites").asInt() + " ("
                                + t.path("sites_under_attack").asInt() + " under attack)")
                .row(
                        "requests",
                        t.path("requests").asLong()
                                + String.format(
                                        " (%.1f/s)",
                                        t.path("requests_per_second").asDouble()))
                .row("connections", t.path("open_connections").asInt())
                .row("in flight", t.path("in_flight").asInt())
                .row("bans", t.path("bans_active").asInt())
                .row("kernel", kernel(s.path("kernel")))
                .row("uplink", uplink(s.path("uplink")))
                .row("cluster", cluster(s.path("cluster")))
                .print(out);
    }

    /** One line on the cluster: a single box, or the node, whether Redis answers, and the nodes seen. */
    static String cluster(JsonNode c) {
        if (c.isMissingNode() || c.isNull()) {
            return "single box (no cluster)";
        }
        String nodes = c.path("nodes").asInt() + " nodes"
                + (c.path("stale").asInt() > 0 ? ", " + c.path("stale").asInt() + " stale" : "");
        return c.path("connected").asBoolean()
                ? "node " + c.path("node").asText() + ", Redis connected (" + nodes + ")"
                : "node " + c.path("node").asText() + ", REDIS UNREACHABLE since "
                        + c.path("since").asText() + ": serving on local state (" + nodes + ")";
    }

    /** One line on the nftables export: off, active with its elements and drops, or why it is not. */
    static String kernel(JsonNode k) {
        if (!k.path("enabled").asBoolean()) {
            return "off (user-space bans only)";
        }
        if (!k.path("active").asBoolean()) {
            return "INACTIVE: " + k.path("last_error").asText("not in place yet") + " (user-space bans only)";
        }
        String line = "nftables " + k.path("table").asText() + " ("
                + k.path("hook").asText() + "): " + k.path("elements").asInt() + " elements, "
                + k.path("drops").asLong() + " packets dropped";
        return k.path("last_error").isTextual()
                ? line + "; last sync failed: " + k.path("last_error").asText()
                : line;
    }

    /** One line on the uplink: not measured, or its state, utilisation and since when. */
    static String uplink(JsonNode u) {
        if (u.isMissingNode() || u.isNull()) {
            return "not measured (detection.uplink)";
        }
        String util = u.path("utilisation").isNumber()
                ? String.format(Locale.ROOT, "%.0f%%", u.path("utilisation").asDouble() * 100)
                : "unknown";
        return u.path("state").asText().toUpperCase(Locale.ROOT) + " since "
                + u.path("since").asText() + " (" + u.path("interface").asText() + " at " + util + ")";
    }
}
