package coop.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file and the failed-authentication lockout, each on a fresh admin server. */
class AdminAuthIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void tokenFile_missing_isCreatedOwnerOnlyWith256RandomBits() throws Exception {
        try (AdminFixture f = new AdminFixture(dir)) {
            assertThat(Files.getPosixFilePermissions(f.tokenFile))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            String token = Files.readString(f.tokenFile).strip();
            assertThat(token).matches("[0-9a-f]{64}");
            assertThat(f.call("GET", "/api/status", null, token).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void tokenFile_existing_isUsedAsIs() throws Exception {
        String mine = "an-operator-chosen-token-of-enough-length";
        Files.writeString(dir.resolve("admin.token"), mine + "\n");
        try (AdminFixture f = new AdminFixture(dir)) {
            assertThat(f.call("GET", "/api/status", null, mine).statusCode()).isEqualTo(200);
            assertThat(Files.readString(f.tokenFile).strip()).isEqualTo(mine);
        }
    }

    @Test
    void wrongToken_tenTimes_locksTheSourceOutWith429_evenForTheRightToken() throws Exception {
        try (AdminFixture f = new AdminFixture(dir)) {
            for (int i = 0; i < AdminServer.MAX_AUTH_FAILURES; i++) {
                assertThat(f.call("GET", "/api/status", null, "guess-" + i).statusCode())
                        .isEqualTo(401);
            }
            HttpResponse<String> locked = f.call("GET", "/api/status", null);
            assertThat(locked.statusCode()).isEqualTo(429);
            assertThat(locked.headers().firstValue("Retry-After")).isPresent();
            assertThat(locked.body()).contains("\"error\"");
            assertThat(f.call("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
        }
    }
}
