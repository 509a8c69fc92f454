package coop.bulwark.site;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One member site.
 *
 * @param name unique, stable name ({@code [a-z0-9][a-z0-9._-]*}): used in logs, metrics and reports
 * @param hosts lower-case host names and aliases without port; {@code *.example.org} matches any subdomain depth
 *     of example.org but not example.org itself
 * @param origins origin servers, tried in order of health then round-robin
 * @param tls certificate for the https listener, if the site has one
 * @param limits the site's limits with the top-level defaults already applied
 * @param protection the site's protection state and per-state policies, defaults already applied
 * @param challenge when the site's visitors are challenged, and its overrides of the edge-wide challenge settings
 * @param addresses the public addresses the site's DNS points at (where a flood toward it arrives): what upstream
 *     rules and blackholes name; empty when not given
 */
public record SiteConfig(
        String name,
        List<String> hosts,
        List<HostPort> origins,
        Optional<TlsConfig> tls,
        SiteLimits limits,
        SiteProtection protection,
        SiteChallenge challenge,
        List<Cidr> addresses) {
    public SiteConfig {
        Objects.requireNonNull(name, "name");
        hosts = List.copyOf(hosts);
        origins = List.copyOf(origins);
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(protection, "protection");
        Objects.requireNonNull(challenge, "challenge");
        addresses = List.copyOf(addresses);
        for (Cidr a : addresses) {
            if (a.prefixLength() != a.network().length * 8) {
                throw new IllegalArgumentException("addresses: " + a + " (expected: single addresses, no networks)");
            }
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("hosts: empty (expected: at least one host name)");
        }
        if (origins.isEmpty()) {
            throw new IllegalArgumentException("origins: empty (expected: at least one host:port)");
        }
    }

    /** A site without {@code addresses}. */
    public SiteConfig(
            String name,
            List<String> hosts,
            List<HostPort> origins,
            Optional<TlsConfig> tls,
            SiteLimits limits,
            SiteProtection protection,
            SiteChallenge challenge) {
        this(name, hosts, origins, tls, limits, protection, challenge, List.of());
    }

    /**
     * A site built in code without a challenge setting: {@link SiteChallenge#OFF}. (A site in a config file without a
     * {@code challenge:} key gets {@link SiteChallenge#DEFAULTS}, mode {@code auto}.)
     */
    public SiteConfig(
            String name,
            List<String> hosts,
            List<HostPort> origins,
            Optional<TlsConfig> tls,
            SiteLimits limits,
            SiteProtection protection) {
        this(name, hosts, origins, tls, limits, protection, SiteChallenge.OFF);
    }

    /** The same site with other challenge settings. */
    public SiteConfig withChallenge(SiteChallenge c) {
        return new SiteConfig(name, hosts, origins, tls, limits, protection, c, addresses);
    }
}
