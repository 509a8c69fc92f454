package coop.bulwark.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The shape of every operator command: one admin API call, a table (or {@code --json}) on stdout, exit 0; or one
 * line {@code bulwark: ...} on stderr and exit {@value #FAILED}.
 */
abstract class AdminCommand implements Callable<Integer> {
    /** Exit code of a call that failed (not reachable, refused, not found). Usage errors exit 2 (picocli). */
    static final int FAILED = 1;

    @Mixin
    AdminOptions admin;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            run(admin.client(), out);
            out.flush();
            return 0;
        } catch (AdminClient.Failure e) {
            spec.commandLine().getErr().println("bulwark: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return FAILED;
        }
    }

    /** Makes the call and prints the result, as JSON when {@code admin.json}. */
    abstract void run(AdminClient client, PrintWriter out) throws AdminClient.Failure;
}
