package coop.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.testing.Checkout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    @Test
    void checkConfig_validFile_exits0WithSummary() throws Exception {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, """
                listen: {http: 127.0.0.1:8080}
                sites:
                  - {name: alpha, hosts: [a.example.org, b.example.org], origins: [127.0.0.1:8081]}
                """);
        assertThat(Main.run("check-config", file.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo(file + ": OK (1 sites, 2 hosts, 0 with tls; http 127.0.0.1:8080)" + System.lineSeparator());
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void checkConfig_validFileWithASharedBlackholeAddress_exits0_andWarns() throws Exception {
        Path file = dir.resolve("shared.yaml");
        Files.writeString(file, """
                listen: {http: 127.0.0.1:8080}
                upstream: {mode: suggest}
                sites:
                  - {name: alpha, hosts: [a.example.org], origins: [127.0.0.1:8081], addresses: [203.0.113.10]}
                  - {name: beta, hosts: [b.example.org], origins: [127.0.0.1:8081], addresses: [203.0.113.10]}
                """);
        assertThat(Main.run("check-config", file.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith(file + ": OK (2 sites");
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo(file + ": warning: upstream.rtbh: 203.0.113.10 is shared by sites alpha, beta: it is"
                        + " blackholed only when all of them are targets (rtbh.allowed: dedicated_only)"
                        + System.lineSeparator());
    }

    @Test
    void checkConfig_invalidFile_exits2WithFileLineColumnLines() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                listen: {http: 127.0.0.1:8080}
                drain_timeout: 30
                sites:
                  - {name: alpha, hosts: [a.example.org], origins: [127.0.0.1:0]}
                """);
        assertThat(Main.run("check-config", file.toString())).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8).lines())
                .containsExactly(
                        file + ":2:16: drain_timeout: 30 (expected: a duration with a unit: ms, s, m or h, like 500ms,"
                                + " 10s, 2m, 1h; add a unit, e.g. 30s)",
                        file + ":4:53: sites[0].origins[0]: 127.0.0.1:0 (expected: a port number 1-65535 after the"
                                + " colon)",
                        file + ": 2 problems");
    }

    @Test
    void checkConfig_missingFile_exits2() {
        Path file = dir.resolve("absent.yaml");
        assertThat(Main.run("check-config", file.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(file + ":0:0: cannot read config file");
    }

    @Test
    void checkConfig_shippedExample_isValid() {
        // The checkout's example (tests run in core/); keep it loadable.
        assertThat(Main.run(
                        "check-config",
                        Checkout.resolve("examples/bulwark.yaml").toString()))
                .as("stderr: %s", err.toString(StandardCharsets.UTF_8))
                .isZero();
    }
}
