package coop.bulwark.cli;

import coop.bulwark.site.ConfigException;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.ConfigProblem;
import coop.bulwark.site.EdgeConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark check-config FILE}: exit 0 with a one-line summary on stdout when valid (and any warning on stderr,
 * {@code FILE: warning: ...}); else exit 2 with every problem on stderr, one {@code FILE:LINE:COLUMN: message} per line
 * (the form editors and CI annotate).
 */
@Command(name = "check-config", description = "Validate a config file; print every problem as FILE:LINE:COLUMN.")
final class CheckConfigCommand implements Callable<Integer> {
    static final int INVALID = 2;

    @Parameters(index = "0", paramLabel = "FILE", description = "The YAML config file.")
    Path file;

    @Override
    public Integer call() {
        try {
            EdgeConfig config = ConfigLoader.load(file);
            for (String w : config.warnings()) {
                System.err.println(file + ": warning: " + w);
            }
            System.out.println(summary(config));
            return 0;
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                System.err.println(p);
            }
            System.err.println(file + ": " + e.problems().size() + " problem"
                    + (e.problems().size() == 1 ? "" : "s"));
            return INVALID;
        }
    }

    private String summary(EdgeConfig config) {
        int hosts = config.sites().stream().mapToInt(s -> s.hosts().size()).sum();
        long tls = config.sites().stream().filter(s -> s.tls().isPresent()).count();
        StringBuilder listen = new StringBuilder();
        config.listen().http().ifPresent(h -> listen.append("http ").append(h));
        config.listen()
                .https()
                .ifPresent(h -> listen.append(listen.isEmpty() ? "" : ", ")
                        .append("https ")
                        .append(h));
        return file + ": OK (" + config.sites().size() + " sites, " + hosts + " hosts, " + tls + " with tls; " + listen
                + ")";
    }
}
