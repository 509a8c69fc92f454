package coop.bulwark.cli;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bulwark unban IP|PREFIX}: lifts the ban of exactly that subject. */
@Command(name = "unban", description = "Lift the ban of an address or network (exactly as banned).")
final class UnbanCommand extends AdminCommand {
    @Parameters(index = "0", paramLabel = "IP|PREFIX")
    String subject;

    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        String text =
                client.call("DELETE", "api/bans?subject=" + URLEncoder.encode(subject, StandardCharsets.UTF_8), null);
        if (admin.json) {
            out.print(text);
            return;
        }
        out.println("unbanned " + client.callJsonText(text).path("unbanned").asText());
    }
}
