package coop.bulwark.edge;

import coop.bulwark.site.TlsConfig;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/**
 * Server TLS contexts, one per distinct certificate/key pair, built off the event loop when a config snapshot is made.
 * A context is reused across reloads while neither file has changed (certbot renewals change the file times).
 *
 * <p>Not thread-safe: used only by the thread building snapshots.
 */
final class CertificateStore {
    private record Entry(SslContext context, FileTime certTime, FileTime keyTime) {}

    private final Map<TlsConfig, Entry> cache = new HashMap<>();

    /** The context for {@code tls}, rebuilt when either file changed; throws with a readable message on failure. */
    SslContext contextFor(TlsConfig tls) throws IOException {
        FileTime certTime = Files.getLastModifiedTime(tls.certChain());
        FileTime keyTime = Files.getLastModifiedTime(tls.privateKey());
        Entry e = cache.get(tls);
        if (e != null && e.certTime.equals(certTime) && e.keyTime.equals(keyTime)) {
            return e.context;
        }
        SslContext ctx = build(tls.certChain(), tls.privateKey());
        cache.put(tls, new Entry(ctx, certTime, keyTime));
        return ctx;
    }

    /** Whether any cached certificate file changed on disk since its context was built. */
    boolean anyChanged() {
        for (var en : cache.entrySet()) {
            try {
                if (!Files.getLastModifiedTime(en.getKey().certChain()).equals(en.getValue().certTime)
                        || !Files.getLastModifiedTime(en.getKey().privateKey()).equals(en.getValue().keyTime)) {
                    return true;
                }
            } catch (IOException ex) {
                return true;
            }
        }
        return false;
    }

    /** Drops contexts no longer referenced by the current config. */
    void retainOnly(java.util.Set<TlsConfig> inUse) {
        cache.keySet().retainAll(inUse);
    }

    private static SslContext build(Path cert, Path key) throws IOException {
        try {
            return SslContextBuilder.forServer(cert.toFile(), key.toFile())
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (Exception e) {
            throw new IOException("cannot load certificate " + cert + " / key " + key + ": " + e.getMessage(), e);
        }
    }
}
