package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code bulwark bans}: the bans in force. */
@Command(name = "bans", description = "List the bans in force (manual, config and automatic).")
final class BansCommand extends AdminCommand {
    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        if (admin.json) {
            out.print(client.call("GET", "api/bans", null));
            return;
        }
        JsonNode bans = client.callJson("GET", "api/bans", null).path("bans");
        if (bans.isEmpty()) {
            out.println("no bans");
            return;
        }
        TextTable t = new TextTable("SUBJECT", "ORIGIN", "EXPIRES", "REASON");
        for (JsonNode b : bans) {
            t.row(
                    b.path("subject").asText(),
                    // In a cluster, a ban taken from another edge says which one made it.
                    b.path("origin").asText()
                            + (b.path("node").isTextual()
                                    ? " on " + b.path("node").asText()
                                    : ""),
                    b.path("expires_at").isNull()
                            ? "never"
                            : b.path("expires_at").asText(),
                    b.path("reason").asText());
        }
        t.print(out);
    }
}
