package coop.bulwark.cli;

import coop.bulwark.site.AdminConfig;
import coop.bulwark.site.ConfigException;
import coop.bulwark.site.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the admin API is and the token for it, shared by the operator commands: either {@code --config FILE} (its
 * {@code admin.listen} and {@code admin.token_file}) or {@code --admin URL --token-file FILE}; explicit flags win.
 */
final class AdminOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "Read admin.listen and admin.token_file from it.")
    Path config;

    @Option(names = "--admin", paramLabel = "URL", description = "The admin API, e.g. http://127.0.0.1:9180.")
    URI admin;

    @Option(names = "--token-file", paramLabel = "FILE", description = "The file holding the admin token.")
    Path tokenFile;

    @Option(names = "--json", description = "Print the API's raw JSON instead of a table.")
    boolean json;

    /** A client for the chosen admin API; {@link AdminClient.Failure} when it cannot be worked out. */
    AdminClient client() throws AdminClient.Failure {
        URI url = admin;
        Path token = tokenFile;
        if (config != null && (url == null || token == null)) {
            AdminConfig a;
            try {
                a = ConfigLoader.load(config).admin();
            } catch (ConfigException e) {
                throw new AdminClient.Failure(config + ": invalid config ("
                        + e.problems().size() + " problems; run bulwark check-config " + config + ")");
            }
            if (url == null) {
                url = URI.create("http://" + a.listen() + "/");
            }
            if (token == null) {
                token = a.tokenFile();
            }
        }
        if (url == null || token == null) {
            throw new AdminClient.Failure(
                    "where is the admin API? give --config FILE, or --admin URL and --token-file FILE");
        }
        String text;
        try {
            text = Files.readString(token, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new AdminClient.Failure("cannot read the token file " + token + ": " + e.getMessage());
        }
        String s = url.toString();
        return new AdminClient(URI.create(s.endsWith("/") ? s : s + "/"), text);
    }
}
