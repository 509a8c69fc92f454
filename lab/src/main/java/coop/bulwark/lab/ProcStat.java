package coop.bulwark.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A Linux {@code /proc/.../stat} line, read by field number as proc(5) numbers them. */
final class ProcStat {
    private final String[] afterName;

    private ProcStat(String[] afterName) {
        this.afterName = afterName;
    }

    /** Reads {@code file} (e.g. {@code /proc/PID/stat}, {@code /proc/thread-self/stat}). */
    static ProcStat read(Path file) throws IOException {
        String line = Files.readString(file);
        // The command name (field 2) is in parentheses and may hold spaces: the fields after it start at field 3.
        return new ProcStat(line.substring(line.lastIndexOf(')') + 2).split(" "));
    }

    /** Field {@code n} (3 or more: state, ppid, …) as a number. */
    long field(int n) {
        return Long.parseLong(afterName[n - 3]);
    }
}
