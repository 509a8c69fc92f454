package coop.bulwark.site;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every problem found while loading one file, each at its line and column; confined to the loading thread.
 * Public for the lab's scenario reader, which reports its file's problems the same way as bulwark.yaml's.
 */
public final class ConfigProblems {
    private final Path file;
    private final List<ConfigProblem> problems = new ArrayList<>();

    /** An empty collection for {@code file}, the name every problem is printed with. */
    public ConfigProblems(Path file) {
        this.file = file;
    }

    /** Adds {@code message} at a 1-based position (0 when unknown). */
    public void add(int line, int column, String message) {
        problems.add(new ConfigProblem(file, line, column, message));
    }

    /** Adds {@code path: value (expected: ...)} at the node's position, the house form for a bad value. */
    public void invalid(YamlNode node, String path, String expected) {
        add(node.line(), node.column(), path + ": " + node.describe() + " (expected: " + expected + ")");
    }

    /** True when nothing has been reported. */
    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** The problems in file order (line, then column); problems found by later cross-checks keep their order. */
    List<ConfigProblem> sorted() {
        List<ConfigProblem> copy = new ArrayList<>(problems);
        copy.sort(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
        return copy;
    }

    /** Every problem, in file order; call only when not {@link #isEmpty()}. */
    public ConfigException toException() {
        return new ConfigException(sorted());
    }
}
