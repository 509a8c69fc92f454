package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import coop.bulwark.site.AccessLogConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogWriterTest {
    @TempDir
    Path dir;

    @AfterEach
    void off() throws IOException {
        AccessLogWriter.apply(new AccessLogConfig(false, Optional.empty()));
    }

    @Test
    void linesReachTheFileWithinAFlush_inOrder_utf8_andAReloadMovesToTheNewFile() throws Exception {
        Path first = dir.resolve("a.log");
        AccessLogWriter.apply(new AccessLogConfig(true, Optional.of(first)));
        AccessLogWriter w = AccessLogWriter.current();
        for (int i = 0; i < 1000; i++) {
            w.append("{\"n\":" + i + "}");
        }
        w.append("{\"path\":\"/café/ünïcode\"}");
        await().alias("the flusher writes within its 250 ms tick")
                .atMost(Duration.ofSeconds(5))
                .until(() -> Files.exists(first) && Files.readAllLines(first).size() == 1001);
        List<String> lines = Files.readAllLines(first, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("{\"n\":0}");
        assertThat(lines.get(999)).isEqualTo("{\"n\":999}");
        assertThat(lines.get(1000)).isEqualTo("{\"path\":\"/café/ünïcode\"}");

        w.append("{\"last\":\"before reload\"}");
        Path second = dir.resolve("b.log");
        AccessLogWriter.reapply(new AccessLogConfig(true, Optional.of(second)));
        assertThat(Files.readAllLines(first))
                .as("the old writer wrote what it held")
                .hasSize(1002);
        AccessLogWriter.current().append("{\"after\":1}");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Files.exists(second) && Files.readAllLines(second).equals(List.of("{\"after\":1}")));
    }

    @Test
    void aFileThatCannotBeOpened_isRefusedAtStart_andKeptAsItWasOnReload() throws Exception {
        Path good = dir.resolve("good.log");
        AccessLogWriter.apply(new AccessLogConfig(true, Optional.of(good)));
        AccessLogWriter running = AccessLogWriter.current();
        AccessLogConfig bad = new AccessLogConfig(true, Optional.of(dir.resolve("no-such-dir/x.log")));
        assertThatThrownBy(() -> AccessLogWriter.apply(bad))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("access_log.file")
                .hasMessageContaining("no-such-dir");
        AccessLogWriter.reapply(bad);
        assertThat(AccessLogWriter.current()).isSameAs(running);
        running.append("{\"still\":\"here\"}");
        running.flush();
        assertThat(Files.readAllLines(good)).containsExactly("{\"still\":\"here\"}");
    }

    @Test
    void disabled_meansNoWriter() throws Exception {
        AccessLogWriter.apply(new AccessLogConfig(false, Optional.of(dir.resolve("x.log"))));
        assertThat(AccessLogWriter.current()).isNull();
        assertThat(dir.resolve("x.log")).doesNotExist();
    }
}
