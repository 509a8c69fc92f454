package coop.bulwark.edge;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Makes every name under the reserved {@code .test} top-level domain (RFC 6761 §6.2) resolve to 127.0.0.1 in the test
 * JVM, so clients that take the host from the URL (the JDK HttpClient sends SNI and Host from it) reach the edge on
 * loopback; every other name goes to the built-in resolver.
 *
 * <p>Installed through {@code META-INF/services} (JEP 418) rather than the {@code jdk.net.hosts.file} property: the
 * resolver is chosen once per JVM at the first lookup, and surefire runs every test class in one JVM, so a property
 * set by one class's static initializer comes too late whenever another class ran first.
 */
public final class TestNameResolverProvider extends InetAddressResolverProvider {
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                String h = host.toLowerCase(Locale.ROOT);
                if (h.endsWith(".test") || h.endsWith(".test.")) {
                    return Stream.of(InetAddress.getByAddress(host, LOOPBACK));
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "bulwark-test-names";
    }
}
