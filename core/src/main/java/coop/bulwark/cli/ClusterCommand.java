package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code bulwark cluster}: the nodes of the cluster as the edge asked sees them. */
@Command(
        name = "cluster",
        description = "List the nodes of the cluster: name, address, last seen, version, config generation, connected.")
final class ClusterCommand extends AdminCommand {
    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        if (admin.json) {
            out.print(client.call("GET", "api/cluster", null));
            return;
        }
        JsonNode c = client.callJson("GET", "api/cluster", null);
        if (!c.path("enabled").asBoolean()) {
            out.println("single box: no cluster configured (cluster: in the config file)");
            return;
        }
        out.println("node " + c.path("node").asText() + " on " + c.path("redis").asText() + ": "
                + (c.path("connected").asBoolean()
                        ? "Redis connected"
                        : "REDIS UNREACHABLE since " + c.path("since").asText() + ", serving on local state")
                + "; bans sent " + c.path("bans_published").asLong() + ", taken "
                + c.path("bans_adopted").asLong());
        List<String> peers = new ArrayList<>();
        c.path("detection_peers").forEach(n -> peers.add(n.asText()));
        out.println(
                peers.isEmpty()
                        ? "detection: this edge's traffic alone (no other edge's counts in the last 2 s)"
                        : "detection: per-site rates of the cluster (this edge's traffic and "
                                + String.join(", ", peers) + "'s)");
        TextTable t = new TextTable("NODE", "ADDRESS", "LAST SEEN", "VERSION", "CONFIG", "CONNECTED");
        for (JsonNode n : c.path("nodes")) {
            t.row(
                    n.path("name").asText() + (n.path("self").asBoolean() ? " (this)" : ""),
                    n.path("address").asText(),
                    n.path("last_seen").asText(),
                    n.path("version").asText(),
                    "generation " + n.path("config_generation").asLong(),
                    n.path("stale").asBoolean() ? "STALE" : n.path("connected").asBoolean() ? "yes" : "no");
        }
        t.print(out);
    }
}
