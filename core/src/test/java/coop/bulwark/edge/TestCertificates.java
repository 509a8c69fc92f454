package coop.bulwark.edge;

import coop.bulwark.site.TlsConfig;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Self-signed server certificates made at test time (BouncyCastle), written as PEM files the way operators and
 * certbot lay them out: a chain file plus a key file, in PKCS#8 or in the older per-algorithm forms (PKCS#1
 * {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}) that {@code openssl genrsa} and older certbot versions write.
 *
 * <p>Every certificate names its hosts in the subjectAltName (CN = the first host) and gets a fresh serial number, so
 * a test can tell a renewed certificate from the one it replaces.
 */
final class TestCertificates {
    private TestCertificates() {}

    /** The private key algorithm and its PEM form. */
    enum KeyForm {
        EC_PKCS8("EC", "-----BEGIN PRIVATE KEY-----"),
        EC_SEC1("EC", "-----BEGIN EC PRIVATE KEY-----"),
        RSA_PKCS8("RSA", "-----BEGIN PRIVATE KEY-----"),
        RSA_PKCS1("RSA", "-----BEGIN RSA PRIVATE KEY-----");

        final String algorithm;
        /** The first line of the key file in this form. */
        final String pemHeader;

        KeyForm(String algorithm, String pemHeader) {
            this.algorithm = algorithm;
            this.pemHeader = pemHeader;
        }
    }

    private static final AtomicLong SERIAL = new AtomicLong(1000);

    /** A self-signed certificate for {@code hosts} with a new key of the given kind. */
    static Issued issue(List<String> hosts, KeyForm form) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(form.algorithm);
            g.initialize(form.algorithm.equals("RSA") ? 2048 : 256);
            KeyPair kp = g.generateKeyPair();
            X500Name name = new X500Name("CN=" + hosts.get(0));
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(30))),
                    name,
                    kp.getPublic());
            b.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(hosts.stream()
                            .map(h -> new GeneralName(GeneralName.dNSName, h))
                            .toArray(GeneralName[]::new)));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(
                            KeyUsage.digitalSignature | (form.algorithm.equals("RSA") ? KeyUsage.keyEncipherment : 0)));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            var signer = new JcaContentSignerBuilder(form.algorithm.equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA")
                    .build(kp.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer));
            return new Issued(cert, kp, form);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a test certificate for " + hosts, e);
        }
    }

    /** A certificate, its key pair and the PEM form its key is written in. */
    record Issued(X509Certificate certificate, KeyPair keys, KeyForm form) {
        String certificatePem() {
            return pem(certificate);
        }

        String keyPem() {
            try {
                return switch (form) {
                    case EC_PKCS8, RSA_PKCS8 -> pem(new JcaPKCS8Generator(keys.getPrivate(), null));
                    // JcaPEMWriter writes a bare RSA key as PKCS#1.
                    case RSA_PKCS1 -> pem(keys.getPrivate());
                    case EC_SEC1 -> pem(new PemObject("EC PRIVATE KEY", sec1(keys)));
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * The SEC1 form as {@code openssl ecparam -genkey} writes it, with the curve and the public key: the JDK's
         * own encoding leaves both to the PKCS#8 wrapper, so unwrapping it would give a key without its curve.
         */
        private static byte[] sec1(KeyPair kp) throws IOException {
            var spki = SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
            var s = ((ECPrivateKey) kp.getPrivate()).getS();
            return new org.bouncycastle.asn1.sec.ECPrivateKey(
                            256, s, spki.getPublicKeyData(), spki.getAlgorithm().getParameters())
                    .getEncoded();
        }

        /** The certificate's subjectAltName DNS names. */
        List<String> dnsNames() {
            return dnsNamesOf(certificate);
        }

        /** Writes the chain and key files of {@code where}, replacing them atomically (as a renewal would). */
        Issued writeTo(TlsConfig where) throws IOException {
            writeAtomically(where.certChain(), certificatePem());
            writeAtomically(where.privateKey(), keyPem());
            return this;
        }
    }

    /**
     * Writes {@code issued} in certbot's layout under {@code configDir} as certbot does for version {@code n} of
     * lineage {@code name}: the files go to {@code archive/NAME/fullchainN.pem} and {@code privkeyN.pem}, and
     * {@code live/NAME/fullchain.pem} / {@code privkey.pem} are symbolic links to them, re-pointed atomically.
     *
     * @return the config for the live directory ({@link TlsConfig#certbotLive})
     */
    static TlsConfig writeCertbot(Path configDir, String name, int n, Issued issued) throws IOException {
        Path archive = Files.createDirectories(configDir.resolve("archive").resolve(name));
        Path live = Files.createDirectories(configDir.resolve("live").resolve(name));
        Files.writeString(archive.resolve("fullchain" + n + ".pem"), issued.certificatePem());
        Files.writeString(archive.resolve("privkey" + n + ".pem"), issued.keyPem());
        relink(live.resolve("fullchain.pem"), Path.of("../../archive", name, "fullchain" + n + ".pem"));
        relink(live.resolve("privkey.pem"), Path.of("../../archive", name, "privkey" + n + ".pem"));
        return TlsConfig.certbotLive(live);
    }

    private static void relink(Path link, Path target) throws IOException {
        Path tmp = link.resolveSibling(link.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, target);
        Files.move(tmp, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A client context that trusts exactly {@code certs} (and checks host names as HTTPS clients do). */
    static SSLContext trusting(Collection<X509Certificate> certs) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : certs) {
                ks.setCertificateEntry("c" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> dnsNamesOf(X509Certificate c) {
        try {
            List<String> out = new ArrayList<>();
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(GeneralName.dNSName).equals(san.get(0))) {
                        out.add((String) san.get(1));
                    }
                }
            }
            return out;
        } catch (CertificateParsingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object o) {
        try {
            StringWriter sw = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
                w.writeObject(o);
            }
            return sw.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
