package coop.bulwark.lab;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JVM flags of the edge under test: the checkout's {@code jvm.options}, the java argument file that ./bulwark and
 * the systemd unit run the product with, so the edge the lab measures is the edge deployed.
 */
public final class EdgeJvmOptions {
    private EdgeJvmOptions() {}

    /**
     * The checkout's {@code jvm.options} (through {@code BULWARK_HOME}, which the launcher exports, else from the
     * working directory or its parent, as in a module's tests); absent, the run goes on with the JVM's defaults and
     * says so, since its CPU figures then are not the deployed edge's.
     */
    /**
     * The {@code serve} arguments for the JIT warm-up: none (the product's default) unless
     * {@code BULWARK_LAB_EDGE_WARMUP} names a value for {@code --warmup} (the lab's own tests set {@code off}).
     */
    public static List<String> warmupArguments() {
        String w = System.getenv("BULWARK_LAB_EDGE_WARMUP");
        return w == null || w.isBlank() ? List.of() : List.of("--warmup", w.strip());
    }

    public static Optional<Path> find(PrintStream progress) {
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
                return Optional.of(p);
            }
        }
        progress.println("lab: no jvm.options found (set BULWARK_HOME to the checkout): the edge runs with the JVM's"
                + " default flags, slower than the deployed edge");
        return Optional.empty();
    }
}
