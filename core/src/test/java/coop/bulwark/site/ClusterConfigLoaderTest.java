package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster:}: every key, defaults, and problems at their line and column. */
class ClusterConfigLoaderTest {
    /** A complete file of six lines; sections appended start at line 7. */
    private static final String BASE = """
            listen:
              http: 127.0.0.1:8080
            sites:
              - name: alpha
                hosts: [alpha.example.org]
                origins: [10.0.0.5:8080]
            """;

    @TempDir
    Path dir;

    private List<String> problems(String yaml) throws IOException {
        return ConfigFiles.problems(dir, yaml);
    }

    @Test
    void noSection_singleBox() throws Exception {
        assertThat(ConfigFiles.load(dir, BASE).cluster()).isEmpty();
    }

    @Test
    void everyKeyBound() throws Exception {
        Files.writeString(dir.resolve("redis.pass"), "s3cret\n");
        ClusterConfig c = ConfigFiles.load(dir, BASE + """
                        cluster:
                          redis: rediss://redis.example.org:6380/2
                          node: edge-2
                          key_prefix: coop.edge
                          password_file: redis.pass
                        """).cluster().orElseThrow();
        assertThat(c)
                .isEqualTo(new ClusterConfig(
                        "rediss://redis.example.org:6380/2",
                        "edge-2",
                        "coop.edge",
                        Optional.of(dir.resolve("redis.pass").toAbsolutePath().normalize())));
        assertThat(c.tls()).isTrue();
        assertThat(c.toString()).doesNotContain("s3cret");
    }

    @Test
    void defaults_prefixBulwark_nodeTheHostName() throws Exception {
        ClusterConfig c = ConfigFiles.load(dir, BASE + "cluster: {redis: redis://127.0.0.1:6379}\n")
                .cluster()
                .orElseThrow();
        assertThat(c.keyPrefix()).isEqualTo("bulwark");
        assertThat(c.node()).isEqualTo(ClusterBinder.hostName()).isNotEmpty();
        assertThat(c.passwordFile()).isEmpty();
    }

    @Test
    void sentinelUrl_needsItsMaster() throws Exception {
        assertThat(ConfigFiles.load(dir, BASE + """
                        cluster: {redis: "redis-sentinel://10.0.0.1:26379,10.0.0.2:26379#edge", node: a}
                        """).cluster().orElseThrow().redis())
                .isEqualTo("redis-sentinel://10.0.0.1:26379,10.0.0.2:26379#edge");
        assertThat(problems(BASE + "cluster: {redis: \"redis-sentinel://10.0.0.1:26379\", node: a}\n"))
                .singleElement()
                .asString()
                .startsWith("7:18: cluster.redis: redis-sentinel://10.0.0.1:26379 (expected: redis://HOST:PORT")
                .endsWith("; a sentinel URL names its master after #)");
    }

    @Test
    void badValues_reportedAtTheirLine() throws Exception {
        assertThat(problems(BASE + """
                cluster:
                  redis: http://redis:6379
                  node: "edge 1"
                  key_prefix: ":bad"
                  password_file: missing.pass
                  nodes: 2
                """))
                .containsExactly(
                        "8:10: cluster.redis: http://redis:6379 (expected: " + ClusterConfig.EXPECTED_REDIS + ")",
                        "9:9: cluster.node: edge 1 (expected: " + ClusterConfig.EXPECTED_NODE + ")",
                        "10:15: cluster.key_prefix: :bad (expected: " + ClusterConfig.EXPECTED_PREFIX + ")",
                        "11:18: cluster.password_file: missing.pass (expected: a readable file holding the Redis"
                                + " password; not found: " + dir.resolve("missing.pass") + ")",
                        "12:3: cluster.nodes: unknown key (did you mean node?)");
    }

    @Test
    void missingRedis_andAPasswordInTheUrl_refusedWithoutEchoingIt() throws Exception {
        assertThat(problems(BASE + "cluster: {node: a}\n"))
                .singleElement()
                .asString()
                .startsWith("7:10: cluster.redis: missing (expected: redis://HOST:PORT");
        assertThat(problems(BASE + "cluster: {redis: \"redis://:hunter2@10.0.0.1:6379\", node: a}\n"))
                .singleElement()
                .asString()
                .contains("cluster.redis: (a URL with a password)")
                .contains("put the password in password_file")
                .doesNotContain("hunter2");
    }

    @Test
    void badPorts_hosts_andDatabases() throws Exception {
        for (String url : List.of(
                "redis://h:0",
                "redis://h:70000",
                "redis://a:1,b:2",
                "redis://h:6379/db",
                "redis://h:6379?timeout=1",
                "redis://h:6379#m",
                "redis://")) {
            assertThat(problems(BASE + "cluster: {redis: \"" + url + "\", node: a}\n"))
                    .as(url)
                    .singleElement()
                    .asString()
                    .contains("cluster.redis: " + url + " (expected: redis://HOST:PORT");
        }
    }

    @Test
    void record_refusesWhatTheBinderRefuses() {
        assertThatThrownBy(() -> new ClusterConfig("redis://h:6379", "a b", "bulwark", Optional.empty()))
                .hasMessageContaining("node: a b");
        assertThatThrownBy(() -> new ClusterConfig("tcp://h", "a", "bulwark", Optional.empty()))
                .hasMessageContaining("redis: tcp://h");
    }
}
