package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code bulwark sites}: one line per site with its state, live rate and origin slots. */
@Command(name = "sites", description = "List the sites: state, requests/s, refused, origin slots in use.")
final class SitesCommand extends AdminCommand {
    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        if (admin.json) {
            out.print(client.call("GET", "api/sites", null));
            return;
        }
        TextTable t = new TextTable("SITE", "STATE", "REQ/S", "PASSED", "REFUSED", "IN FLIGHT", "REASON");
        for (JsonNode s : client.callJson("GET", "api/sites", null).path("sites")) {
            JsonNode v = s.path("verdicts");
            long refused = 0;
            for (var it = v.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getKey().equals("pass")) {
                    refused += e.getValue().asLong();
                }
            }
            t.row(
                    s.path("name").asText(),
                    s.path("state").asText(),
                    String.format("%.1f", s.path("requests_per_second").asDouble()),
                    v.path("pass").asLong(),
                    refused,
                    s.path("bulkhead").path("in_flight").asInt() + "/"
                            + s.path("bulkhead").path("max_concurrent").asInt(),
                    s.path("state_reason").asText());
        }
        t.print(out);
    }
}
