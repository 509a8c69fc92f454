package coop.bulwark.cli;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bulwark report ATTACK_ID}: one attack's record as the API returns it. */
@Command(name = "report", description = "Show the report of one attack.")
final class ReportCommand extends AdminCommand {
    @Parameters(index = "0", paramLabel = "ATTACK_ID")
    String id;

    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        String body = client.call("GET", "api/attacks/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
        // Reports have no table form yet: the JSON is the report.
        out.print(body);
    }
}
