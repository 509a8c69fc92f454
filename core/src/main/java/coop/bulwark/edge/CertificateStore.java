package coop.bulwark.edge;

import coop.bulwark.proxy.EdgeSnapshot;
import coop.bulwark.site.TlsConfig;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Server TLS contexts, one per distinct certificate/key pair, built off the event loop when a config snapshot is made.
 * A context is reused across reloads while neither file has changed (certbot renewals change the file times).
 *
 * <p>Not thread-safe: used only by the thread building snapshots.
 */
final class CertificateStore implements EdgeSnapshot.Certificates {
    private record Entry(SslContext context, FileTime certTime, FileTime keyTime) {}

    private final Map<TlsConfig, Entry> cache = new HashMap<>();

    /** The context for {@code tls}, rebuilt when either file changed; throws with a readable message on failure. */
    @Override
    public SslContext contextFor(TlsConfig tls) throws IOException {
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
    @Override
    public void retainOnly(Set<TlsConfig> inUse) {
        cache.keySet().retainAll(inUse);
    }

    private static SslContext build(Path cert, Path key) throws IOException {
        try {
            SslContext ctx = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
            checkKeyMatches(cert, key);
            return ctx;
        } catch (Exception e) {
            throw new IOException("cannot load certificate " + cert + " / key " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a key that does not belong to the leaf certificate. The JDK provider builds a context from any pair, and
     * then every handshake for the site fails: a renewal that replaced the certificate but not the key would pass the
     * reload and take the site down, where refusing it keeps the old pair serving.
     *
     * <p>Checked by signing a probe with the key and verifying it with the certificate's public key. Keys this parser
     * does not know (encrypted, unusual algorithms) are left to the TLS library as before.
     */
    private static void checkKeyMatches(Path cert, Path key) throws IOException, GeneralSecurityException {
        X509Certificate leaf;
        try (InputStream in = Files.newInputStream(cert)) {
            var certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                return;
            }
            leaf = (X509Certificate) certs.iterator().next();
        }
        PrivateKey pk = readPlainKey(key);
        if (pk == null) {
            return;
        }
        String alg = switch (pk.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (alg == null) {
            return;
        }
        byte[] probe = "bulwark certificate/key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature sign = Signature.getInstance(alg);
            sign.initSign(pk);
            sign.update(probe);
            byte[] sig = sign.sign();
            Signature verify = Signature.getInstance(alg);
            verify.initVerify(leaf.getPublicKey());
            verify.update(probe);
            matches = verify.verify(sig);
        } catch (InvalidKeyException | SignatureException e) {
            matches = false; // e.g. an RSA key next to an EC certificate
        }
        if (!matches) {
            throw new IOException(
                    "the private key does not match the certificate (" + leaf.getSubjectX500Principal() + ")");
        }
    }

    /** The first unencrypted private key in a PEM file (PKCS#8, PKCS#1 or SEC1), or null. */
    private static PrivateKey readPlainKey(Path key) throws IOException {
        var converter = new JcaPEMKeyConverter();
        try (var reader = Files.newBufferedReader(key, StandardCharsets.US_ASCII);
                var pem = new PEMParser(reader)) {
            for (Object o; (o = pem.readObject()) != null; ) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
            }
        }
        return null;
    }
}
