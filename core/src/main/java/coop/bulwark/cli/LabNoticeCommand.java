package coop.bulwark.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code bulwark lab} run on the product jar itself: the lab is not in it (the product jar carries no attack
 * generator), so this says in one line where the lab is and exits 2. {@code ./bulwark lab ...} never gets here: the
 * launcher runs {@code lab/target/bulwark-lab.jar} instead.
 */
@Command(name = "lab", description = "The attack lab: bulwark-lab.jar, run by ./bulwark lab.")
final class LabNoticeCommand implements Callable<Integer> {
    /** The line printed to stderr. */
    static final String NOTICE = "bulwark lab: the lab is not in the product jar; it is the separate bulwark-lab.jar:"
            + " run ./bulwark lab ... from a checkout, or java -jar lab/target/bulwark-lab.jar ...";

    @Parameters(arity = "0..*", hidden = true)
    List<String> ignored;

    @Unmatched
    List<String> unmatched;

    @Override
    public Integer call() {
        System.err.println(NOTICE);
        return 2;
    }
}
