package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark upstream}: what the upstream is told (or, in suggest mode, proposed) to drop; {@code apply} and
 * {@code withdraw} act on it.
 */
@Command(
        name = "upstream",
        description = "List what the upstream is told to drop (FlowSpec, RTBH); apply suggestions or withdraw.",
        subcommands = {UpstreamCommand.Apply.class, UpstreamCommand.Withdraw.class})
final class UpstreamCommand extends AdminCommand {
    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        if (admin.json) {
            out.print(client.call("GET", "api/upstream", null));
            return;
        }
        JsonNode u = client.callJson("GET", "api/upstream", null);
        String speaker = u.path("speaker").asText("active");
        out.println("mode " + u.path("mode").asText() + ", uplink "
                + (u.path("uplink_saturated").asBoolean() ? "SATURATED" : "not saturated")
                + (speaker.equals("active") ? "" : ", " + speaker));
        JsonNode list = u.path("announcements");
        if (list.isEmpty()) {
            out.println("nothing announced or suggested");
            return;
        }
        table(list).print(out);
    }

    static TextTable table(JsonNode list) {
        TextTable t = new TextTable("ID", "KIND", "MATCH", "REASON", "SINCE", "EXPIRES", "STATE");
        for (JsonNode a : list) {
            t.row(
                    a.path("id").asText(),
                    a.path("kind").asText(),
                    a.path("match").asText(),
                    a.path("reason").asText(),
                    a.path("since").asText(),
                    a.path("expires").asText(),
                    a.path("state").asText());
        }
        return t;
    }

    /** {@code bulwark upstream apply ATTACK_ID}: announces an attack's suggestions (suggest mode). */
    @Command(name = "apply", description = "Announce the suggestions of an attack (upstream.mode: suggest).")
    static final class Apply extends AdminCommand {
        @Parameters(index = "0", paramLabel = "ATTACK_ID", description = "e.g. atk-1764063600-1")
        String attack;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
            ObjectNode body = AdminClient.JSON.createObjectNode().put("attack_id", attack);
            String text = client.call("POST", "api/upstream/apply", body);
            if (admin.json) {
                out.print(text);
                return;
            }
            JsonNode applied = client.callJsonText(text).path("applied");
            if (applied.isEmpty()) {
                out.println("nothing left to apply for " + attack);
                return;
            }
            table(applied).print(out);
        }
    }

    /** {@code bulwark upstream withdraw ID}. */
    @Command(name = "withdraw", description = "Withdraw one announcement (or drop a suggestion).")
    static final class Withdraw extends AdminCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "as listed by bulwark upstream")
        String id;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
            String text = client.call("DELETE", "api/upstream/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
            out.print(admin.json ? text : "withdrawn " + id + "\n");
        }
    }
}
