package coop.bulwark.site;

import java.nio.file.Path;

/**
 * One problem found in a config file, printed as {@code FILE:LINE:COLUMN: message}. Lines and columns are 1-based;
 * 0 means unknown (for example, a problem with the file as a whole).
 */
public record ConfigProblem(Path file, int line, int column, String message) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }
}
