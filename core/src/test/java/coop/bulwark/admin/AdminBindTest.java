package coop.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import coop.bulwark.site.AdminConfig;
import coop.bulwark.site.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A non-loopback bind without TLS is refused before anything is bound or written. */
class AdminBindTest {
    @TempDir
    Path dir;

    @Test
    void nonLoopback_withoutAllowInsecureRemote_isRefusedWithAClearMessage() {
        Path token = dir.resolve("t");
        var config = new AdminConfig(true, new HostPort("0.0.0.0", 0), token, false);
        IOException e = catchThrowableOfType(
                IOException.class, () -> AdminServer.start(config, null, why -> true, Clock.systemUTC(), "test"));
        assertThat(e).isNotNull();
        assertThat(e.getMessage())
                .contains("admin.listen 0.0.0.0:0")
                .contains("not a loopback address")
                .contains("allow_insecure_remote");
        assertThat(Files.exists(token)).isFalse();
    }

    @Test
    void nonLoopback_allowedExplicitly_binds() throws Exception {
        var config = new AdminConfig(true, new HostPort("0.0.0.0", 0), dir.resolve("t"), true);
        try (AdminFixture f = new AdminFixture(dir)) {
            try (AdminServer s = AdminServer.start(config, f.edge, why -> true, Clock.systemUTC(), "test")) {
                assertThat(s.address().getPort()).isPositive();
            }
        }
    }
}
