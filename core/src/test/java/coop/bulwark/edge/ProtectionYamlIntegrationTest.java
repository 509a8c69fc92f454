package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.edge.LoopbackClient.Response;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.ProtectionState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protection keys end to end: a config file with {@code protection:}, {@code policy:} and a site's
 * {@code protection:}, {@code cache:} and {@code state:}, loaded by {@link ConfigLoader} and served by a real edge,
 * behaves as written.
 */
class ProtectionYamlIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void yamlProtectionKeys_limitAndCacheBehaveAsConfigured() throws Exception {
        try (TestOrigin origin = new TestOrigin("yaml")) {
            Path file = dir.resolve("bulwark.yaml");
            Files.writeString(file, """
                    listen:
                      http: 127.0.0.1:%d
                      event_loops: 1
                    access_log: {enabled: false}
                    origin_pool: {health_check: {interval: 200ms, timeout: 200ms}}
                    protection:
                      origin_capacity: 32
                      global:
                        per_ip: {rate: 1000/s, burst: 1000}
                        per_prefix: off
                      bans:
                        action: reject
                        manual:
                          - {subject: 127.0.77.0/24, reason: "abuse report 42"}
                      cache: {max_bytes: 16MiB, max_object_bytes: 1MiB}
                    policy:
                      normal: {per_ip: {rate: 100/s, burst: 100}, cache_min_ttl: 0s}
                      suspect: {per_ip: {rate: 1/s, burst: 5}, per_prefix: off, cache_query: ignore, ban_after_limited: 0}
                    sites:
                      - name: shop
                        hosts: [shop.test]
                        origins: [%s]
                        state: suspect
                        protection:
                          suspect: {cache_min_ttl: 30s}
                        cache:
                          pages: true
                          stale_if_error: 10m
                    """.formatted(ConfigReloadIntegrationTest.freePort(), origin.hostPort()));

            var config = ConfigLoader.load(file);
            try (EdgeServer edge = EdgeServer.start(config)) {
                var guard = edge.snapshot().site("shop").guard();
                assertThat(guard.state()).isEqualTo(ProtectionState.SUSPECT);

                // Limit: burst 5 per address in suspect, then 429 with Retry-After.
                int ok = 0;
                Response limited = null;
                try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), loopback(0, 40, 1))) {
                    for (int i = 0; i < 8; i++) {
                        Response r = c.send("GET", "shop.test", "/page?i=" + i);
                        if (r.status() == 200) {
                            ok++;
                        } else if (limited == null) {
                            limited = r;
                        }
                    }
                }
                assertThat(ok).isEqualTo(5);
                assertThat(limited).isNotNull();
                assertThat(limited.status()).isEqualTo(429);
                assertThat(limited.header("retry-after")).isNotNull();

                // Cache: pages without headers kept for 30 s (site override), query ignored (policy.suspect):
                // of the five requests above only the first reached the origin.
                assertThat(origin.requests.get()).isEqualTo(1);
                Response hit =
                        LoopbackClient.once(edge.httpAddress(), loopback(0, 40, 2), "GET", "shop.test", "/page?z=1");
                assertThat(hit.header("x-cache")).isEqualTo("HIT");
                assertThat(origin.requests.get()).isEqualTo(1);

                // Config ban: refused at accept.
                try (LoopbackClient banned = new LoopbackClient(edge.httpAddress(), loopback(0, 77, 1))) {
                    banned.sendOnly("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n");
                    assertThat(banned.closedWithoutResponse()).isTrue();
                } catch (IOException e) {
                    // reset before the write: refused too
                }
            }
        }
    }
}
