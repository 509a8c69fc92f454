package coop.bulwark.lab;

import picocli.CommandLine;

/**
 * Entry point of {@code bulwark-lab.jar}: {@code java -jar lab/target/bulwark-lab.jar ARGS} is {@code ./bulwark lab
 * ARGS} (the launcher runs exactly that). The lab lives in its own jar so the product jar carries no attack generator.
 */
public final class LabMain {
    private LabMain() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the lab's command line and returns its exit code, without exiting (used by tests). */
    public static int run(String... args) {
        return new CommandLine(new LabCommand())
                .setCommandName("bulwark lab")
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
    }
}
