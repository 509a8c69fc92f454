package coop.bulwark.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.testing.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulwark exabgp-api} with the real routing tools: ExaBGP in an {@code edge} namespace runs the helper as its
 * API process and peers over eBGP with BIRD 2 in a {@code router} namespace, which turns BLACKHOLE-community routes
 * into blackhole routes in its kernel and keeps FlowSpec rules in its flow table. The edge's announced set comes from
 * a stub of {@code GET /api/upstream} inside the edge namespace (the decisions themselves are tested on a fake clock in
 * {@link UpstreamDeskTest}). Addresses from 192.0.2.0/24 (peering), 203.0.113.0/24 (the target) and 198.51.100.0/24
 * (a source prefix), all inside the namespaces; everything is deleted by name at the end.
 */
class ExabgpBirdNamespaceTest {
    private static final String TARGET = "203.0.113.10";

    @TempDir
    Path dir;

    private Netns edge;
    private Netns router;
    private Process bird;
    private Process exabgp;
    private Process stub;
    private Path announced;

    @BeforeAll
    static void tools() {
        String why = Netns.unavailableReason();
        Assumptions.assumeTrue(why == null, why);
        for (String tool : List.of("exabgp", "bird", "birdc")) {
            Assumptions.assumeTrue(
                    Netns.host("sh", "-c", "command -v " + tool).code() == 0,
                    tool + " is not installed (apt-get install exabgp bird2)");
        }
    }

    @BeforeEach
    void topology() throws Exception {
        edge = Netns.create("ue");
        router = Netns.create("ur");
        var veth = Netns.host(
                "ip",
                "link",
                "add",
                "bwe0",
                "netns",
                edge.name(),
                "type",
                "veth",
                "peer",
                "name",
                "bwr0",
                "netns",
                router.name());
        assertThat(veth.code()).as(veth.output()).isZero();
        edge.ok("ip", "addr", "add", "192.0.2.2/24", "dev", "bwe0");
        edge.ok("ip", "link", "set", "bwe0", "up");
        router.ok("ip", "addr", "add", "192.0.2.1/24", "dev", "bwr0");
        router.ok("ip", "link", "set", "bwr0", "up");
        router.ok("ip", "route", "add", "203.0.113.0/24", "via", "192.0.2.2");

        Files.writeString(dir.resolve("bird.conf"), """
                router id 192.0.2.1;
                protocol device {}
                flow4 table flowtab4;
                protocol kernel {
                  persist off;
                  ipv4 { export filter { if dest = RTD_BLACKHOLE then accept; reject; }; };
                }
                protocol bgp edge {
                  local 192.0.2.1 as 65000;
                  neighbor 192.0.2.2 as 65001;
                  hold time 9;
                  ipv4 {
                    import filter {
                      if (65535, 666) ~ bgp_community && net.len = 32 then { dest = RTD_BLACKHOLE; accept; }
                      reject;
                    };
                    export none;
                  };
                  flow4 { table flowtab4; import all; export none; };
                }
                """);
        bird = start(
                router,
                "bird.out",
                "bird",
                "-f",
                "-c",
                dir.resolve("bird.conf").toString(),
                "-s",
                dir.resolve("bird.ctl").toString(),
                "-P",
                dir.resolve("bird.pid").toString());

        Files.writeString(dir.resolve("admin.token"), "stub-token\n");
        announced = dir.resolve("upstream.json");
        stub = start(
                edge,
                "stub.out",
                java(),
                "-cp",
                System.getProperty("java.class.path"),
                "coop.bulwark.testing.StubUpstreamApi",
                "9180",
                announced.toString());
        Path helper = dir.resolve("helper.sh");
        Files.writeString(
                helper,
                "#!/bin/sh\nexec " + java() + " -Xmx128m -cp " + System.getProperty("java.class.path")
                        + " coop.bulwark.cli.Main exabgp-api --admin http://127.0.0.1:9180 --token-file "
                        + dir.resolve("admin.token") + " --interval 200ms\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve("exabgp.conf"), """
                process bulwark {
                    run %s;
                    encoder text;
                }
                neighbor 192.0.2.1 {
                    router-id 192.0.2.2;
                    local-address 192.0.2.2;
                    local-as 65001;
                    peer-as 65000;
                    hold-time 9;
                    family { ipv4 unicast; ipv4 flow; }
                    api { processes [ bulwark ]; }
                }
                """.formatted(helper));
        exabgp = startExabgp();
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private Process start(Netns ns, String out, String... command) throws IOException {
        return new ProcessBuilder(ns.exec(command))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(out).toFile())
                .start();
    }

    private Process startExabgp() throws IOException {
        List<String> c = new ArrayList<>(edge.exec(
                "env",
                "exabgp.daemon.user=root",
                "exabgp.daemon.daemonize=false",
                "exabgp.log.destination=stdout",
                "exabgp.api.cli=false",
                "exabgp",
                dir.resolve("exabgp.conf").toString()));
        return new ProcessBuilder(c)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("exabgp.out").toFile()))
                .start();
    }

    @AfterEach
    void teardown() throws Exception {
        for (Process p : new Process[] {exabgp, stub, bird}) {
            if (p != null) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
                p.destroyForcibly();
            }
        }
        if (edge != null) {
            edge.close();
        }
        if (router != null) {
            router.close();
        }
    }

    /** Writes the edge's announced set as the admin API gives it (an RTBH and/or a FlowSpec rule). */
    private void publish(boolean rtbh, boolean flowspec, Duration left) throws IOException {
        Instant expires = Instant.now().plus(left);
        List<String> items = new ArrayList<>();
        if (rtbh) {
            items.add("""
                    {"id":"rt-1","kind":"rtbh","state":"announced","expires":"%s",
                     "command":"announce route %s/32 next-hop self community [65535:666]",
                     "withdraw_command":"withdraw route %s/32 next-hop self"}""".formatted(expires, TARGET, TARGET));
        }
        if (flowspec) {
            items.add("""
                    {"id":"fl-1","kind":"flowspec","state":"announced","expires":"%s",
                     "command":"announce flow route { match { source 198.51.100.0/24; destination %s/32; } then { discard; } }",
                     "withdraw_command":"withdraw flow route { match { source 198.51.100.0/24; destination %s/32; } }"}""".formatted(expires, TARGET, TARGET));
        }
        Path tmp = dir.resolve("upstream.json.tmp");
        Files.writeString(tmp, "{\"mode\":\"auto\",\"announcements\":[" + String.join(",", items) + "]}");
        Files.move(tmp, announced, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Answers the stub has given (its {@code served} lines). */
    private long served() throws IOException {
        return Files.readAllLines(dir.resolve("stub.out")).stream()
                .filter(l -> l.equals("served"))
                .count();
    }

    private boolean blackholed() {
        return router.run("ip", "route", "show", "type", "blackhole").output().contains(TARGET);
    }

    private String flowTable() {
        return router.run(
                        "birdc", "-s", dir.resolve("bird.ctl").toString(), "show", "route", "table", "flowtab4", "all")
                .output();
    }

    private String logs() throws IOException {
        return "exabgp:\n" + Files.readString(dir.resolve("exabgp.out")) + "\nbird:\n"
                + Files.readString(dir.resolve("bird.out"));
    }

    @Test
    void announcedRulesReachTheRouter_withdrawalsLeave_restartsReconcile_andExpiryIsKeptWhenTheEdgeIsAway()
            throws Exception {
        publish(true, true, Duration.ofHours(1));
        await().atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(200))
                .failFast(() -> !exabgp.isAlive())
                .until(() -> blackholed() && flowTable().contains("198.51.100.0/24"));
        assertThat(flowTable()).contains(TARGET + "/32");

        publish(false, true, Duration.ofHours(1)); // the edge withdrew the blackhole
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !blackholed());
        assertThat(flowTable()).contains("198.51.100.0/24");

        // ExaBGP restarts: the session drops (the router forgets the routes) and the helper re-announces the set.
        publish(true, true, Duration.ofHours(1));
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(this::blackholed);
        exabgp.destroy();
        assertThat(exabgp.waitFor(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !blackholed());
        exabgp = startExabgp();
        await().atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> blackholed() && flowTable().contains("198.51.100.0/24"));

        // The edge restarts with nothing to announce (its desk starts empty): the helper withdraws what it held.
        publish(false, false, Duration.ofHours(1));
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !blackholed() && !flowTable().contains("198.51.100.0/24"));
        publish(true, true, Duration.ofHours(1));
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(this::blackholed);

        // The edge goes away with 4 s left on each announcement: they stay until then, then are withdrawn.
        long servedBefore = served();
        publish(true, true, Duration.ofSeconds(4));
        // Two answers after the rewrite: the later one cannot have been read before it, so the helper has the expiry.
        await().atMost(Duration.ofSeconds(5)).until(() -> served() >= servedBefore + 2);
        Files.delete(announced);
        Instant away = Instant.now();
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(200))
                .alias("kept while the edge is away and the announcement not expired")
                .until(this::blackholed);
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !blackholed());
        assertThat(Duration.between(away, Instant.now())).isGreaterThan(Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> !flowTable().contains("198.51.100.0/24"));
    }
}
