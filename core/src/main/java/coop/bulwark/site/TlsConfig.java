package coop.bulwark.site;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A site's certificate: PEM chain and PEM private key. {@code certbot_live: DIR} in the config becomes
 * {@code DIR/fullchain.pem} + {@code DIR/privkey.pem}.
 */
public record TlsConfig(Path certChain, Path privateKey) {
    public TlsConfig {
        Objects.requireNonNull(certChain, "cert");
        Objects.requireNonNull(privateKey, "key");
    }

    public static TlsConfig certbotLive(Path liveDir) {
        return new TlsConfig(liveDir.resolve("fullchain.pem"), liveDir.resolve("privkey.pem"));
    }
}
