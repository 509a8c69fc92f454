package coop.bulwark.cli;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark report ATTACK_ID}: one attack's incident report, as Markdown by default (the operator's report),
 * or HTML or JSON, in the edge's first report language or the one {@code --lang} names. The open attack's report
 * is built from the latest second.
 */
@Command(
        name = "report",
        description = "Print an attack's incident report (Markdown; --format html or json; --lang en or es).")
final class ReportCommand extends AdminCommand {
    enum Format {
        MD,
        HTML,
        JSON
    }

    @Parameters(index = "0", paramLabel = "ATTACK_ID")
    String id;

    @Option(names = "--format", paramLabel = "md|html|json", description = "md (default), html or json.")
    Format format;

    @Option(
            names = "--lang",
            paramLabel = "en|es",
            description = "The report's language (default: the first of the edge's reports.languages).")
    String lang;

    @Override
    void run(AdminClient client, PrintWriter out) throws AdminClient.Failure {
        Format f = format != null ? format : admin.json ? Format.JSON : Format.MD;
        String path = "api/attacks/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "?format="
                + f.name().toLowerCase(Locale.ROOT)
                + (lang == null ? "" : "&lang=" + URLEncoder.encode(lang, StandardCharsets.UTF_8));
        String body = client.call("GET", path, null);
        out.print(body);
        if (!body.endsWith("\n")) {
            out.println();
        }
    }
}
