package coop.bulwark.site;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The operator's admin API listener ({@code admin:} in the config file).
 *
 * @param enabled whether the admin server runs at all
 * @param listen where it listens; loopback by default, because the API is plain HTTP
 * @param tokenFile the file holding the bearer token; created (mode 0600, 256 random bits) on first start if missing
 * @param allowInsecureRemote whether a non-loopback {@code listen} is accepted without TLS (e.g. behind a
 *     TLS-terminating proxy on a private network); refused at start otherwise
 */
public record AdminConfig(boolean enabled, HostPort listen, Path tokenFile, boolean allowInsecureRemote) {
    /** Default {@code admin.listen}. */
    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9180);

    /** Default {@code admin.token_file}, next to the config file. */
    public static final String DEFAULT_TOKEN_FILE = "bulwark-admin.token";

    public AdminConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tokenFile, "tokenFile");
    }

    /** The defaults for a config file in {@code configDir}. */
    public static AdminConfig defaults(Path configDir) {
        return new AdminConfig(true, DEFAULT_LISTEN, configDir.resolve(DEFAULT_TOKEN_FILE), false);
    }
}
