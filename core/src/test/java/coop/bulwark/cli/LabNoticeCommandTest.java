package coop.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The product carries no attack generator: no lab class on its class path, and {@code bulwark lab} says where it is. */
class LabNoticeCommandTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
    }

    @Test
    void productClassPath_hasNoLabClass() {
        // The core module's class path is what its shaded jar is built from; the lab is the bulwark-lab module.
        assertThatThrownBy(() -> Class.forName("coop.bulwark.lab.Lab")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("coop.bulwark.lab.LabMain")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void lab_onProductJar_saysWhereTheLabIs_exits2() {
        assertThat(Main.run("lab", "--scenario", "seed", "--quick")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(LabNoticeCommand.NOTICE + System.lineSeparator());
    }

    @Test
    void help_pointsAtTheLabJar() {
        var out = new ByteArrayOutputStream();
        PrintStream savedOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run("--help")).isZero();
        } finally {
            System.setOut(savedOut);
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("check-config")
                .contains("  lab           The attack lab: bulwark-lab.jar, run by ./bulwark lab.");
    }
}
