package coop.bulwark.cli;

import picocli.CommandLine;

/** Entry point of the {@code bulwark} command; see {@link BulwarkCommand} for the subcommands. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code, without exiting (used by tests). */
    public static int run(String... args) {
        return new CommandLine(new BulwarkCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
    }
}
