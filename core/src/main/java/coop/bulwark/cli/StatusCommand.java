package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code bulwark status}: version, uptime, config generation and edge-wide totals. */
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
                .print(out);
    }
}
