package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;

/** {@code bulwark attacks}: the open attack (if any) and past ones, newest first. */
@Command(name = "attacks", description = "List attacks: the one going on, then past ones (newest first).")
final class AttacksCommand extends AdminCommand {
    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        if (admin.json) {
            out.print(client.call("GET", "api/attacks", null));
            return;
        }
        JsonNode list = client.callJson("GET", "api/attacks", null);
        JsonNode attacks = list.path("attacks");
        if (attacks.isEmpty()) {
            out.println(
                    list.path("detection").asBoolean(true)
                            ? "no attacks recorded"
                            : "no attacks recorded (detection is off: detection.enabled in the config)");
            return;
        }
        TextTable t = new TextTable("ID", "STATUS", "STARTED", "ENDED", "PEAK REQ/S", "TARGETS");
        for (JsonNode a : attacks) {
            List<String> targets = new ArrayList<>();
            a.path("targets").forEach(n -> targets.add(n.asText()));
            t.row(
                    a.path("id").asText(),
                    a.path("status").asText(),
                    a.path("start").asText(),
                    a.path("end").isNull() || a.path("end").isMissingNode()
                            ? "-"
                            : a.path("end").asText(),
                    String.format(Locale.ROOT, "%.0f", a.path("peak_rps").asDouble()),
                    String.join(", ", targets));
        }
        t.print(out);
        out.println("bulwark report ID: an attack's incident report");
    }
}
