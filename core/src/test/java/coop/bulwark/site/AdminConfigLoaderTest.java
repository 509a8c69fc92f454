package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code admin:} section: defaults, every key, and problems reported at their position. */
class AdminConfigLoaderTest {
    private static final String BASE = """
            listen:
              http: 127.0.0.1:8080
            sites:
              - name: alpha
                hosts: [alpha.example.org]
                origins: [127.0.0.1:8081]
            """;

    @TempDir
    Path dir;

    private EdgeConfig load(String yaml) throws Exception {
        return ConfigFiles.load(dir, yaml);
    }

    private List<String> problems(String yaml) throws IOException {
        return ConfigFiles.problems(dir, yaml);
    }

    @Test
    void absent_defaultsToLoopbackAndTokenNextToTheConfig() throws Exception {
        AdminConfig a = load(BASE).admin();
        assertThat(a)
                .isEqualTo(new AdminConfig(
                        true, new HostPort("127.0.0.1", 9180), dir.resolve("bulwark-admin.token"), false));
    }

    @Test
    void everyKey_isBound_relativeTokenFileResolvedAgainstTheConfigDirectory() throws Exception {
        AdminConfig a = load(BASE + """
                admin:
                  enabled: false
                  listen: "[::1]:9999"
                  token_file: secrets/admin.token
                  allow_insecure_remote: true
                """).admin();
        assertThat(a)
                .isEqualTo(new AdminConfig(false, new HostPort("::1", 9999), dir.resolve("secrets/admin.token"), true));
    }

    @Test
    void badValues_areAllReportedAtTheirPosition() throws Exception {
        assertThat(problems(BASE + """
                admin:
                  enabled: yes
                  listen: localhost
                  allow_insecure_remote: 1
                  tokn_file: x
                """))
                .containsExactlyInAnyOrder(
                        "8:12: admin.enabled: yes (expected: true or false)",
                        "9:11: admin.listen: localhost (expected: host:port, or [ipv6]:port)",
                        "10:26: admin.allow_insecure_remote: 1 (expected: true or false)",
                        "11:3: admin.tokn_file: unknown key (did you mean token_file?)");
    }
}
