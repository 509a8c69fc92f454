package coop.bulwark.cli;

import coop.bulwark.site.ConfigException;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.ConfigProblem;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bulwark check-config FILE}: exit 0 when valid, else 2 with one {@code FILE:LINE:COLUMN: message} each. */
@Command(name = "check-config", description = "Validate a config file; print every problem as FILE:LINE:COLUMN.")
final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The YAML config file.")
    Path file;

    @Override
    public Integer call() {
        try {
            var config = ConfigLoader.load(file);
            System.out.println(file + ": OK (" + config.sites().size() + " sites)");
            return 0;
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                System.err.println(p);
            }
            return 2;
        }
    }
}
