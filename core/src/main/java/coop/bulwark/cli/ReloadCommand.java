package coop.bulwark.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code bulwark reload}: applies the config file now; a rejected file leaves the running config in place. */
@Command(name = "reload", description = "Reload the config file now (the running config stays if it has problems).")
final class ReloadCommand extends AdminCommand {
    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        String text = client.call("POST", "api/reload", null);
        if (admin.json) {
            out.print(text);
            return;
        }
        out.println("reloaded: config generation "
                + client.callJsonText(text).path("config_generation").asLong());
    }
}
