package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bulwark ban IP|PREFIX --for 1h --reason ...}: refuses the address or network at accept time. */
@Command(name = "ban", description = "Ban an address or network (refused at accept, on every site).")
final class BanCommand extends AdminCommand {
    @Parameters(index = "0", paramLabel = "IP|PREFIX", description = "e.g. 203.0.113.7 or 198.51.100.0/24")
    String subject;

    @Option(
            names = "--for",
            paramLabel = "DURATION",
            description = "How long: 90s, 30m, 1h, 7d (default: until unbanned).")
    String duration;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Shown in the ban list.")
    String reason;

    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        ObjectNode body = AdminClient.JSON.createObjectNode().put("subject", subject);
        if (duration != null) {
            body.put("duration", duration);
        }
        if (reason != null) {
            body.put("reason", reason);
        }
        String text = client.call("POST", "api/bans", body);
        if (admin.json) {
            out.print(text);
            return;
        }
        JsonNode b = client.callJsonText(text);
        out.println("banned " + b.path("subject").asText() + " "
                + (b.path("expires_at").isNull()
                        ? "until unbanned"
                        : "until " + b.path("expires_at").asText()));
    }
}
