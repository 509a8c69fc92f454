package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The config loader tests' fixture: a YAML text written as {@code DIR/bulwark.yaml} and loaded from there. */
final class ConfigFiles {
    private ConfigFiles() {}

    static Path file(Path dir) {
        return dir.resolve("bulwark.yaml");
    }

    static EdgeConfig load(Path dir, String yaml) throws Exception {
        Files.writeString(file(dir), yaml);
        return ConfigLoader.load(file(dir));
    }

    /** The problems as {@code LINE:COLUMN: message}, each checked to name the file. */
    static List<String> problems(Path dir, String yaml) throws IOException {
        Files.writeString(file(dir), yaml);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file(dir)));
        assertThat(e).as("expected problems for:\n%s", yaml).isNotNull();
        return e.problems().stream()
                .peek(p -> assertThat(p.file()).isEqualTo(file(dir)))
                .map(p -> p.line() + ":" + p.column() + ": " + p.message())
                .toList();
    }
}
