package coop.bulwark.lab;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags of the edge under test: the checkout's {@code jvm.options} and {@code serve.options}, the java argument
 * files that {@code ./bulwark serve} and the systemd unit run the edge with, so the edge the lab measures is the edge
 * deployed.
 */
public final class EdgeJvmOptions {
    private EdgeJvmOptions() {}

    /**
     * The {@code serve} arguments for the JIT warm-up: none (the product's default) unless
     * {@code BULWARK_LAB_EDGE_WARMUP} names a value for {@code --warmup} (the lab's own tests set {@code off}).
     */
    public static List<String> warmupArguments() {
        String w = System.getenv("BULWARK_LAB_EDGE_WARMUP");
        return w == null || w.isBlank() ? List.of() : List.of("--warmup", w.strip());
    }

    /**
     * The checkout's {@code jvm.options} and, beside it, {@code serve.options}, in that order (through {@code
     * BULWARK_HOME}, which the launcher exports, else from the working directory or its parent, as in a module's
     * tests); absent, the run goes on with the JVM's defaults and says so, since its CPU figures then are not the
     * deployed edge's.
     */
    public static List<Path> find(PrintStream progress) {
        List<Path> candidates = new ArrayList<>();
        String home = System.getenv("BULWARK_HOME");
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home, "jvm.options"));
        }
        Path here = Path.of("").toAbsolutePath();
        candidates.add(here.resolve("jvm.options"));
        if (here.getParent() != null) {
            candidates.add(here.getParent().resolve("jvm.options"));
        }
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                Path serve = p.resolveSibling("serve.options");
                return Files.isRegularFile(serve) ? List.of(p, serve) : List.of(p);
            }
        }
        progress.println("lab: no jvm.options found (set BULWARK_HOME to the checkout): the edge runs with the JVM's"
                + " default flags, slower than the deployed edge");
        return List.of();
    }
}
