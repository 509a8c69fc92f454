package coop.bulwark.site;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What Bulwark pushes into the kernel ({@code kernel:} in the config file): today the ban list, mirrored into an
 * nftables set so banned sources are dropped before a socket exists.
 *
 * @param nftables the nftables export of the ban list
 */
public record KernelConfig(Nftables nftables) {
    /** No {@code kernel:} section: nothing is pushed into the kernel. */
    public static final KernelConfig DEFAULTS = new KernelConfig(Nftables.DEFAULTS);

    public KernelConfig {
        Objects.requireNonNull(nftables, "nftables");
    }

    /** Where the drop rule sits: before conntrack in the IP stack, or at the interface's ingress. */
    public enum Hook {
        /** {@code type filter hook prerouting priority -300}: every interface, before connection tracking. */
        PREROUTING("prerouting"),
        /** A {@code netdev} ingress chain on one interface: earlier still, but only that interface. */
        INGRESS("ingress");

        private final String key;

        Hook(String key) {
            this.key = key;
        }

        /** The config spelling. */
        public String key() {
            return key;
        }
    }

    /**
     * {@code kernel.nftables}.
     *
     * @param enabled whether Bulwark keeps its table in sync with its bans
     * @param table the name of the {@code inet} table Bulwark owns (and only that one)
     * @param hook where the drop rule sits
     * @param iface the interface of an {@link Hook#INGRESS} hook; empty for prerouting
     * @param minBan bans with less time left than this stay in user space only (not worth a kernel round trip)
     * @param keepOnExit whether a clean stop leaves the table (and its drops) in place
     */
    public record Nftables(
            boolean enabled, String table, Hook hook, Optional<String> iface, Duration minBan, boolean keepOnExit) {
        public static final String DEFAULT_TABLE = "bulwark";
        public static final Duration DEFAULT_MIN_BAN = Duration.ofSeconds(30);
        public static final Nftables DEFAULTS =
                new Nftables(false, DEFAULT_TABLE, Hook.PREROUTING, Optional.empty(), DEFAULT_MIN_BAN, false);

        public Nftables {
            Objects.requireNonNull(table, "table");
            if (!validName(table)) {
                throw new IllegalArgumentException("table: " + table + " (expected: letters, digits, _ or -)");
            }
            Objects.requireNonNull(hook, "hook");
            Objects.requireNonNull(iface, "iface");
            if (hook == Hook.INGRESS && iface.isEmpty()) {
                throw new IllegalArgumentException("interface: missing (expected: required for hook: ingress)");
            }
            Objects.requireNonNull(minBan, "minBan");
            if (minBan.isNegative()) {
                throw new IllegalArgumentException("min_ban: " + minBan + " (expected: >= 0)");
            }
        }

        /** A table name nft accepts without quoting, at most 64 characters (well under the kernel's limit). */
        public static boolean validName(String name) {
            return name.matches("[A-Za-z][A-Za-z0-9_-]{0,63}");
        }
    }
}
