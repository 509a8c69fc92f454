package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DevicePriorityTest {
    /** As Chromium does for some of its threads when it runs as root: ask for nice -8, then report the nice it has. */
    private static final String RAISE_THEN_REPORT = "renice -n -8 -p $$ >/dev/null 2>&1; cut -d' ' -f19 /proc/$$/stat";

    @Test
    void aLoweredProcess_runsAtTheDevicesNice_andCannotRaiseIt() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux only");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "util-linux setpriv");
        Process p = new ProcessBuilder(DevicePriority.lowered(List.of("sh", "-c", RAISE_THEN_REPORT)))
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(out).isEqualTo(Integer.toString(DevicePriority.NICE));
    }
}
