package coop.bulwark.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bulwark serve --config FILE}: run the edge until SIGTERM/SIGINT; SIGHUP reloads. */
@Command(name = "serve", description = "Run the edge.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML config file.")
    Path config;

    @Override
    public Integer call() {
        System.err.println("serve: not wired yet");
        return 1;
    }
}
