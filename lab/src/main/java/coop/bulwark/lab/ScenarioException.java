package coop.bulwark.lab;

import java.util.List;

/** A scenario file that cannot be used; {@link #problems()} lists every problem found, one message each. */
public final class ScenarioException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<String> problems;

    public ScenarioException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
