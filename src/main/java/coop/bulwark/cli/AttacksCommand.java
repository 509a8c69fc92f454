package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code bulwark attacks}: the attacks the edge recorded (none until detection lands). */
@Command(name = "attacks", description = "List recorded attacks.")
final class AttacksCommand extends AdminCommand {
    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        if (admin.json) {
            out.print(client.call("GET", "api/attacks", null));
            return;
        }
        JsonNode attacks = client.callJson("GET", "api/attacks", null).path("attacks");
        if (attacks.isEmpty()) {
            out.println("no attacks recorded");
            return;
        }
        TextTable t = new TextTable("ID", "SITE", "STARTED", "STATE");
        for (JsonNode a : attacks) {
            t.row(
                    a.path("id").asText(),
                    a.path("site").asText(),
                    a.path("started_at").asText(),
                    a.path("state").asText());
        }
        t.print(out);
    }
}
