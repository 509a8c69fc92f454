package coop.bulwark.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChallengeKeysTest {
    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));

    @Test
    void open_createsTheFileOwnerOnly_andReopeningKeepsTheKeys() throws IOException {
        Path f = dir.resolve("state/sub/challenge.keys");
        ChallengeKeys a = ChallengeKeys.open(Optional.of(f), Duration.ofHours(24), clock);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.getParent())))
                .isEqualTo("rwx------");
        ChallengeKeys b = ChallengeKeys.open(Optional.of(f), Duration.ofHours(24), clock);
        assertThat(b.ring().current().sameSecret(a.ring().current())).isTrue();
        assertThat(b.ring().current().id).isEqualTo(a.ring().current().id);
        assertThat(Files.readString(f)).doesNotContain("tmp");
        try (var files = Files.list(f.getParent())) {
            assertThat(files.toList()).containsExactly(f); // no temporary file left behind
        }
    }

    @Test
    void rotation_isWrittenToTheFile_soARestartKeepsBothKeys() throws IOException {
        Path f = dir.resolve("challenge.keys");
        ChallengeKeys a = ChallengeKeys.open(Optional.of(f), Duration.ofHours(1), clock);
        SigningKey first = a.ring().current();
        clock.advance(Duration.ofMinutes(61));
        assertThat(a.rotateIfDue()).isTrue();
        ChallengeKeys b = ChallengeKeys.open(Optional.of(f), Duration.ofHours(1), clock);
        assertThat(b.ring().previous().sameSecret(first)).isTrue();
        assertThat(b.ring().current().sameSecret(a.ring().current())).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .isEqualTo("rw-------");
    }

    @Test
    void open_aKeyOlderThanOnePeriod_isRotatedAtOnce() throws IOException {
        Path f = dir.resolve("challenge.keys");
        SigningKey first = ChallengeKeys.open(Optional.of(f), Duration.ofHours(1), clock)
                .ring()
                .current();
        clock.advance(Duration.ofHours(5));
        ChallengeKeys later = ChallengeKeys.open(Optional.of(f), Duration.ofHours(1), clock);
        assertThat(later.ring().previous().sameSecret(first)).isTrue();
        assertThat(later.ring().current().createdEpochSecond).isEqualTo(clock.seconds());
    }

    @Test
    void corruptFile_isAClearError_naming_theFileAndLine_andLeftAlone() throws IOException {
        Path f = dir.resolve("challenge.keys");
        String[] bad = {
            "# only comments\n",
            "1 1764064800\n",
            "x 1764064800 AAAA\n",
            "1 1764064800 AAAA\n",
            "1 1764064800 " + "A".repeat(43) + "=\n1 1764064800 " + "A".repeat(43) + "=\n",
        };
        String[] expected = {"0 keys", "line 1: 3 fields", "line 1: a number", "line 1: key: 3 bytes", "previous key id"
        };
        for (int i = 0; i < bad.length; i++) {
            Files.writeString(f, bad[i]);
            int n = i;
            assertThatThrownBy(() -> ChallengeKeys.open(Optional.of(f), Duration.ofHours(1), clock))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("challenge key file " + f + " is corrupt")
                    .hasMessageContaining(expected[n])
                    .hasMessageContaining("delete it to start with new keys");
            assertThat(Files.readString(f)).isEqualTo(bad[i]);
        }
    }

    @Test
    void memoryOnly_whenNoFile() throws IOException {
        ChallengeKeys k = ChallengeKeys.open(Optional.empty(), Duration.ofHours(1), clock);
        assertThat(k.file()).isEmpty();
        assertThat(k.ring().current()).isNotNull();
    }
}
