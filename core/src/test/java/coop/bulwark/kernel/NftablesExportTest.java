package coop.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import coop.bulwark.protect.BanList;
import coop.bulwark.protect.BanOrigin;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.KernelConfig;
import coop.bulwark.testing.Netns;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The export against the real kernel: each test makes its own network namespace and runs {@code nft} inside it, so
 * the host's tables are never touched. The export is driven by hand ({@code configure}, {@code poll}) on the test
 * thread; the kernel's element timeouts run on real time, so the ban list uses the system clock.
 */
class NftablesExportTest {
    private static final KernelConfig.Nftables ON = new KernelConfig.Nftables(
            true, "bwtest", KernelConfig.Hook.PREROUTING, Optional.empty(), Duration.ofSeconds(30), false);

    private Netns ns;
    private BanList bans;
    private NftablesExport export;

    @BeforeAll
    static void namespaces() {
        String why = Netns.unavailableReason();
        Assumptions.assumeTrue(why == null, why);
        Assumptions.assumeTrue(
                Netns.host("nft", "--version").code() == 0, "nft is not installed (apt-get install nftables)");
    }

    @BeforeEach
    void setUp() {
        ns = Netns.create("kx");
        bans = new BanList(Clock.systemUTC(), Duration.ofMinutes(10), 1000);
        export = new NftablesExport(bans, new NftProcess(ns.exec("nft")), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        if (ns != null) {
            ns.close();
        }
    }

    private Map<Cidr, SetElement> kernelSet(String set) {
        String json = ns.ok("nft", "-j", "list", "set", "inet", "bwtest", set);
        return NftTable.elements(json, Instant.now());
    }

    private long remainingSeconds(Cidr subject, String set) {
        return Duration.between(Instant.now(), kernelSet(set).get(subject).expiresAt())
                .toSeconds();
    }

    @Test
    void bansLongEnoughAreMirroredWithTheirRemainingTime_andUnbansRemoveThem() {
        bans.ban(Cidr.parse("198.51.100.10"), Duration.ofMinutes(10), "test", BanOrigin.MANUAL);
        bans.ban(Cidr.parse("203.0.113.0/24"), Duration.ofHours(1), "test", BanOrigin.MANUAL);
        bans.ban(Cidr.parse("2001:db8::/32"), null, "config", BanOrigin.MANUAL);
        bans.ban(Cidr.parse("192.0.2.9"), Duration.ofSeconds(10), "short", BanOrigin.MANUAL);

        export.configure(ON, List.of());

        assertThat(kernelSet("banned4")).containsOnlyKeys(Cidr.parse("198.51.100.10"), Cidr.parse("203.0.113.0/24"));
        assertThat(remainingSeconds(Cidr.parse("198.51.100.10"), "banned4")).isBetween(590L, 601L);
        assertThat(remainingSeconds(Cidr.parse("203.0.113.0/24"), "banned4")).isBetween(3590L, 3601L);
        assertThat(kernelSet("banned6")).containsOnlyKeys(Cidr.parse("2001:db8::/32"));
        assertThat(kernelSet("banned6").get(Cidr.parse("2001:db8::/32")).permanent())
                .isTrue();
        assertThat(export.status().active()).isTrue();
        assertThat(export.status().elements()).isEqualTo(3);

        bans.unban(Cidr.parse("198.51.100.10"));
        bans.ban(Cidr.parse("198.51.100.11"), Duration.ofMinutes(5), "test", BanOrigin.AUTOMATIC);
        export.poll();

        assertThat(kernelSet("banned4")).containsOnlyKeys(Cidr.parse("198.51.100.11"), Cidr.parse("203.0.113.0/24"));
        assertThat(export.status().syncFailures()).isZero();
    }

    @Test
    void onItsOwnThread_aBanReachesTheKernelWithinAQuarterSecond() {
        export.start(ON, List.of());
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> export.status().active());
            long before = System.nanoTime();
            bans.ban(Cidr.parse("198.51.100.77"), Duration.ofMinutes(10), "timed", BanOrigin.AUTOMATIC);
            await().atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> kernelSet("banned4").containsKey(Cidr.parse("198.51.100.77")));
            long ms = (System.nanoTime() - before) / 1_000_000;
            System.out.println("ban to kernel: " + ms + " ms");
            // Design: a 100 ms poll + one nft run (measured 141 ms here). The bound is loose for a busy CI machine;
            // the figure is printed for the record.
            assertThat(ms).isLessThan(1000);
        } finally {
            export.close();
        }
    }

    @Test
    void off_itsThreadSleeps_untilAReloadTurnsItOn_andAgainOnceOff() {
        export.start(KernelConfig.Nftables.DEFAULTS, List.of());
        try {
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !export.following());
            export.reconfigure(ON, List.of());
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> export.following() && export.status().active());
            bans.ban(Cidr.parse("198.51.100.78"), Duration.ofMinutes(10), "after a reload", BanOrigin.AUTOMATIC);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> kernelSet("banned4").containsKey(Cidr.parse("198.51.100.78")));
            export.reconfigure(KernelConfig.Nftables.DEFAULTS, List.of());
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !export.following() && !export.status().active());
        } finally {
            export.close();
        }
    }

    @Test
    void aLongerBanRefreshesTheElementsTimeout() {
        Cidr a = Cidr.parse("198.51.100.20");
        bans.ban(a, Duration.ofMinutes(1), "first", BanOrigin.AUTOMATIC);
        export.configure(ON, List.of());
        assertThat(remainingSeconds(a, "banned4")).isBetween(50L, 61L);

        bans.ban(a, Duration.ofHours(2), "escalated", BanOrigin.AUTOMATIC);
        export.poll();

        assertThat(remainingSeconds(a, "banned4")).isBetween(7190L, 7201L);
    }

    @Test
    void aNetworkCoversTheAddressesInside_whichReturnWhenItIsLifted() {
        bans.ban(Cidr.parse("198.51.100.7"), Duration.ofMinutes(10), "one", BanOrigin.AUTOMATIC);
        bans.ban(Cidr.parse("198.51.100.0/24"), Duration.ofMinutes(5), "all", BanOrigin.MANUAL);
        export.configure(ON, List.of());
        assertThat(kernelSet("banned4")).containsOnlyKeys(Cidr.parse("198.51.100.0/24"));

        bans.unban(Cidr.parse("198.51.100.0/24"));
        export.poll();

        assertThat(kernelSet("banned4")).containsOnlyKeys(Cidr.parse("198.51.100.7"));
    }

    @Test
    void aBatchWithAStaleElementDoesNotLoseTheOthers() {
        bans.ban(Cidr.parse("198.51.100.1"), Duration.ofMinutes(10), "a", BanOrigin.MANUAL);
        bans.ban(Cidr.parse("198.51.100.2"), Duration.ofMinutes(10), "b", BanOrigin.MANUAL);
        export.configure(ON, List.of());
        // Someone (or an expiry the export did not see) removed one element behind its back.
        ns.ok("nft", "delete", "element", "inet", "bwtest", "banned4", "{ 198.51.100.1 }");

        bans.unban(Cidr.parse("198.51.100.1")); // its delete alone would fail the whole batch
        bans.ban(Cidr.parse("198.51.100.3"), Duration.ofMinutes(10), "c", BanOrigin.MANUAL);
        bans.ban(Cidr.parse("2001:db8::3"), Duration.ofMinutes(10), "d", BanOrigin.MANUAL);
        export.poll();

        assertThat(kernelSet("banned4")).containsOnlyKeys(Cidr.parse("198.51.100.2"), Cidr.parse("198.51.100.3"));
        assertThat(kernelSet("banned6")).containsOnlyKeys(Cidr.parse("2001:db8::3"));
        assertThat(export.status().syncFailures()).isEqualTo(1);
        assertThat(export.status().lastError()).isEmpty();
    }

    @Test
    void protectedNetworksAndLoopbackNeverEnterTheSet() throws Exception {
        bans.ban(Cidr.parse("127.0.0.1"), Duration.ofMinutes(10), "loop", BanOrigin.MANUAL);
        bans.ban(Cidr.parse("10.9.0.0/16"), Duration.ofMinutes(10), "covers the proxy", BanOrigin.MANUAL);
        bans.ban(Cidr.parse("10.8.0.5"), Duration.ofMinutes(10), "admin", BanOrigin.MANUAL);
        bans.ban(Cidr.parse("198.51.100.9"), Duration.ofMinutes(10), "bot", BanOrigin.MANUAL);
        export.protectClient(InetAddress.getByAddress(new byte[] {10, 8, 0, 5}));

        export.configure(ON, List.of(Cidr.parse("10.9.3.4")));

        assertThat(kernelSet("banned4")).containsOnlyKeys(Cidr.parse("198.51.100.9"));
        assertThat(export.status().skippedProtected()).isEqualTo(3);
    }

    @Test
    void aRestartTakesOverAKeptTable_andReconcilesItWithTheBans() {
        KernelConfig.Nftables keep = new KernelConfig.Nftables(
                true, "bwtest", KernelConfig.Hook.PREROUTING, Optional.empty(), Duration.ofSeconds(30), true);
        bans.ban(Cidr.parse("198.51.100.1"), Duration.ofMinutes(10), "a", BanOrigin.MANUAL);
        bans.ban(Cidr.parse("198.51.100.2"), Duration.ofMinutes(10), "b", BanOrigin.MANUAL);
        export.configure(keep, List.of());
        export.start(keep, List.of()); // so close() runs its exit path
        export.close();
        assertThat(kernelSet("banned4")).hasSize(2); // kept: drops go on while the edge restarts

        BanList after = new BanList(Clock.systemUTC(), Duration.ofMinutes(10), 1000);
        after.ban(Cidr.parse("198.51.100.2"), Duration.ofMinutes(10), "b", BanOrigin.MANUAL);
        after.ban(Cidr.parse("198.51.100.4"), Duration.ofMinutes(10), "d", BanOrigin.MANUAL);
        var restarted = new NftablesExport(after, new NftProcess(ns.exec("nft")), Clock.systemUTC());
        restarted.configure(ON, List.of());

        assertThat(kernelSet("banned4")).containsOnlyKeys(Cidr.parse("198.51.100.2"), Cidr.parse("198.51.100.4"));
        assertThat(ns.ok("nft", "list", "tables")).contains("inet bwtest");

        restarted.start(ON, List.of());
        restarted.close();
        assertThat(ns.ok("nft", "list", "tables")).doesNotContain("bwtest");
    }

    @Test
    void aTableChangedByHandIsRebuiltOnReload_andDisablingRemovesIt() {
        bans.ban(Cidr.parse("198.51.100.1"), Duration.ofMinutes(10), "a", BanOrigin.MANUAL);
        export.configure(ON, List.of());
        ns.ok("nft", "flush", "chain", "inet", "bwtest", "drop_banned");

        export.configure(ON, List.of()); // a reload reconciles

        String chain = ns.ok("nft", "list", "chain", "inet", "bwtest", "drop_banned");
        assertThat(chain).contains("ip saddr @banned4 counter").contains("ip6 saddr @banned6 counter");
        assertThat(kernelSet("banned4")).containsOnlyKeys(Cidr.parse("198.51.100.1"));

        export.configure(KernelConfig.Nftables.DEFAULTS, List.of());
        assertThat(ns.ok("nft", "list", "tables")).doesNotContain("bwtest");
        assertThat(export.status().enabled()).isFalse();
    }

    @Test
    void anIngressHookSitsOnItsInterface_andAReloadKeepsTheTable() {
        ns.ok("ip", "link", "add", "bwk0", "type", "veth", "peer", "name", "bwk1");
        KernelConfig.Nftables ingress = new KernelConfig.Nftables(
                true, "bwtest", KernelConfig.Hook.INGRESS, Optional.of("bwk0"), Duration.ofSeconds(30), false);
        bans.ban(Cidr.parse("198.51.100.1"), Duration.ofMinutes(10), "a", BanOrigin.MANUAL);
        export.configure(ingress, List.of());
        String before = ns.ok("nft", "-a", "list", "chain", "inet", "bwtest", "drop_banned");
        assertThat(before).contains("type filter hook ingress device \"bwk0\" priority -500");

        export.configure(ingress, List.of()); // a reload: same layout, so no rebuild (the rule handles stay)

        assertThat(ns.ok("nft", "-a", "list", "chain", "inet", "bwtest", "drop_banned"))
                .isEqualTo(before);
        assertThat(kernelSet("banned4")).containsOnlyKeys(Cidr.parse("198.51.100.1"));

        export.configure(ON, List.of()); // to prerouting: rebuilt
        assertThat(ns.ok("nft", "list", "chain", "inet", "bwtest", "drop_banned"))
                .contains("type filter hook prerouting priority raw");
        assertThat(kernelSet("banned4")).containsOnlyKeys(Cidr.parse("198.51.100.1"));
    }

    @Test
    void withoutNft_orWithoutPrivilege_theEdgeSaysSoOnce_andStaysInUserSpace() {
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        var logger = (Logger) LoggerFactory.getLogger("bulwark.kernel");
        logger.addAppender(logged);
        try {
            var missing = new NftablesExport(bans, new NftProcess(List.of("/nonexistent/nft")), Clock.systemUTC());
            missing.configure(ON, List.of());
            missing.poll();
            assertThat(missing.status().active()).isFalse();
            assertThat(missing.status().lastError()).get().asString().contains("nft not found");

            var unprivileged = new NftablesExport(
                    bans,
                    new NftProcess(ns.exec("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "nft")),
                    Clock.systemUTC());
            unprivileged.configure(ON, List.of());
            unprivileged.poll();
            assertThat(unprivileged.status().active()).isFalse();
            assertThat(unprivileged.status().lastError()).get().asString().contains("CAP_NET_ADMIN");
            assertThat(unprivileged.status().syncFailures()).isEqualTo(1);

            List<String> lines =
                    logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).filteredOn(l -> l.contains("nft not found")).hasSize(1);
            assertThat(lines).filteredOn(l -> l.contains("CAP_NET_ADMIN")).hasSize(1);
            assertThat(lines).allMatch(l -> l.contains("stay refused in user space"));
        } finally {
            logger.detachAppender(logged);
        }
    }
}
