package coop.bulwark.site;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem found while loading one file; confined to the loading thread. */
final class ConfigProblems {
    private final Path file;
    private final List<ConfigProblem> problems = new ArrayList<>();

    ConfigProblems(Path file) {
        this.file = file;
    }

    void add(int line, int column, String message) {
        problems.add(new ConfigProblem(file, line, column, message));
    }

    /** Adds {@code path: value (expected: ...)} at the node's position, the house form for a bad value. */
    void invalid(YamlNode node, String path, String expected) {
        add(node.line(), node.column(), path + ": " + node.describe() + " (expected: " + expected + ")");
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    /** The problems in file order (line, then column); problems found by later cross-checks keep their order. */
    List<ConfigProblem> sorted() {
        List<ConfigProblem> copy = new ArrayList<>(problems);
        copy.sort(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
        return copy;
    }

    ConfigException toException() {
        return new ConfigException(sorted());
    }
}
