package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark under-attack SITE on|off|auto}: forces a site's protection state (off means normal), or hands it
 * back to detection (auto). A forced state holds against detection until it expires or is changed.
 */
@Command(
        name = "under-attack",
        description = "Force a site under_attack (on) or normal (off), or hand it back to detection (auto).")
final class UnderAttackCommand extends AdminCommand {
    enum Switch {
        ON,
        OFF,
        AUTO
    }

    @Parameters(index = "0", paramLabel = "SITE")
    String site;

    @Parameters(index = "1", paramLabel = "on|off|auto")
    Switch on;

    @Option(names = "--for", paramLabel = "DURATION", description = "Return to the configured state after this long.")
    String duration;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Shown as the state's reason.")
    String reason;

    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        String state = switch (on) {
            case ON -> "under_attack";
            case OFF -> "normal";
            case AUTO -> "auto";
        };
        ObjectNode body = AdminClient.JSON.createObjectNode().put("state", state);
        if (duration != null) {
            body.put("expires_in", duration);
        }
        if (reason != null) {
            body.put("reason", reason);
        }
        String path = "api/sites/" + URLEncoder.encode(site, StandardCharsets.UTF_8) + "/state";
        String text = client.call("POST", path, body);
        if (admin.json) {
            out.print(text);
            return;
        }
        JsonNode s = client.callJsonText(text);
        out.println(s.path("name").asText() + ": " + s.path("state").asText()
                + (s.path("state_expires_at").isNull()
                        ? ""
                        : " until " + s.path("state_expires_at").asText()));
    }
}
