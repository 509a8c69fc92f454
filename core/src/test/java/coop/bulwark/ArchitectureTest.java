package coop.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package map of ARCHITECTURE.md, checked on the sources: dependencies point inward (each package imports only
 * packages of a lower layer, so there can be no cycle), the packages that promise no Netty keep the promise, and the
 * centre stays readable (package contracts, no huge files, no fully-qualified names hiding dependencies).
 */
class ArchitectureTest {
    static final Path MAIN = Path.of("src/main/java/coop/bulwark");

    /** Each package's layer: it may import packages of lower layers only. */
    static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("site", 0),
            Map.entry("time", 0),
            Map.entry("html", 0),
            Map.entry("protect", 1),
            Map.entry("cache", 1),
            Map.entry("detect", 1),
            Map.entry("metrics", 1),
            Map.entry("challenge", 2),
            Map.entry("report", 2),
            Map.entry("kernel", 2),
            Map.entry("upstream", 2),
            Map.entry("notify", 3),
            // Above protect and challenge, whose state it mirrors (BanList, ChallengeKeys); below the edge that wires
            // it.
            Map.entry("cluster", 3),
            Map.entry("origin", 4),
            Map.entry("proxy", 5),
            Map.entry("incident", 6),
            Map.entry("edge", 7),
            Map.entry("admin", 8),
            // A throw-away edge driven before the real one starts: above the edge it runs, below the CLI.
            Map.entry("warmup", 8),
            Map.entry("cli", 9));

    /** Packages whose sources import no Netty at all. */
    static final Set<String> NETTY_FREE = Set.of(
            "site",
            "time",
            "html",
            "protect",
            "cache",
            "detect",
            "challenge",
            "report",
            "kernel",
            "upstream",
            "notify",
            "cluster",
            "incident",
            "admin",
            "warmup");

    /** The request path's decision chain and completion point, Netty-free inside the Netty package {@code proxy}. */
    static final Set<String> NETTY_FREE_IN_PROXY = Set.of(
            "Admission",
            "CachePlan",
            "CacheStage",
            "ChallengeStage",
            "ClientAddress",
            "ClientInfo",
            "Decision",
            "DecisionChain",
            "RequestAdmission",
            "RequestHead",
            "RequestLog",
            "Site");

    static final Pattern PROJECT_IMPORT =
            Pattern.compile("^import (?:static )?coop\\.bulwark\\.([a-z]+)\\.", Pattern.MULTILINE);
    static final Pattern LETTUCE_IMPORT = Pattern.compile("^import (?:static )?io\\.lettuce\\.", Pattern.MULTILINE);
    static final Pattern NETTY_IMPORT = Pattern.compile("^import (?:static )?io\\.netty\\.", Pattern.MULTILINE);
    /** Code, strings and comments apart, so names in strings and javadoc are not taken for code. */
    static final Pattern LITERAL_OR_COMMENT = Pattern.compile(
            "\"\"\"[\\s\\S]*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])*'|//[^\\n]*|/\\*[\\s\\S]*?\\*/");

    static final Pattern QUALIFIED_NAME =
            Pattern.compile("(?<![\\w.])(?:java|javax|io\\.netty|coop\\.bulwark)(?:\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*");

    record Source(String pkg, Path file, String text) {
        String simpleName() {
            return file.getFileName().toString().replace(".java", "");
        }

        /** The code after the import block, with strings and comments blanked out. */
        String code() {
            Matcher m = Pattern.compile("^(?:package|import) [^\\n]*\\n", Pattern.MULTILINE)
                    .matcher(text);
            int end = 0;
            while (m.find()) {
                end = m.end();
            }
            return LITERAL_OR_COMMENT.matcher(text.substring(end)).replaceAll(" ");
        }
    }

    static List<Source> sources() {
        try (Stream<Path> files = Files.walk(MAIN)) {
            List<Source> all = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                all.add(new Source(MAIN.relativize(f).getName(0).toString(), f, Files.readString(f)));
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyPackage_hasALayer_andAContract() {
        List<String> packages =
                sources().stream().map(Source::pkg).distinct().sorted().toList();
        assertThat(packages).isNotEmpty();
        assertThat(LAYER.keySet()).as("packages with a layer").containsAll(packages);
        for (String p : packages) {
            assertThat(MAIN.resolve(p).resolve("package-info.java"))
                    .as("contract of %s", p)
                    .exists();
        }
    }

    @Test
    void imports_pointInward_soThereIsNoCycle() {
        List<String> outward = new ArrayList<>();
        for (Source s : sources()) {
            Matcher m = PROJECT_IMPORT.matcher(s.text());
            while (m.find()) {
                String target = m.group(1);
                if (!target.equals(s.pkg()) && LAYER.get(target) >= LAYER.get(s.pkg())) {
                    outward.add(s.file() + " imports " + target);
                }
            }
        }
        assertThat(outward)
                .as("imports of a package at the same or a higher layer")
                .isEmpty();
    }

    @Test
    void nettyFreePackages_andTheDecisionChain_importNoNetty() {
        List<String> netty = new ArrayList<>();
        for (Source s : sources()) {
            boolean promised = NETTY_FREE.contains(s.pkg())
                    || (s.pkg().equals("proxy") && NETTY_FREE_IN_PROXY.contains(s.simpleName()));
            if (promised && NETTY_IMPORT.matcher(s.text()).find()) {
                netty.add(s.file().toString());
            }
        }
        assertThat(netty).isEmpty();
    }

    @Test
    void onlyTheRedisBackend_importsTheRedisClient() {
        List<String> lettuce = new ArrayList<>();
        for (Source s : sources()) {
            boolean backend = s.file().startsWith(MAIN.resolve("cluster").resolve("redis"));
            if (!backend && LETTUCE_IMPORT.matcher(s.text()).find()) {
                lettuce.add(s.file().toString());
            }
        }
        assertThat(lettuce).as("Lettuce outside coop.bulwark.cluster.redis").isEmpty();
        assertThat(MAIN.resolve("cluster/redis/package-info.java")).exists();
    }

    @Test
    void noFileOver600Lines() {
        List<String> long_ = new ArrayList<>();
        for (Source s : sources()) {
            long lines = s.text().lines().count();
            if (lines > 600) {
                long_.add(s.file() + ": " + lines);
            }
        }
        assertThat(long_).isEmpty();
    }

    @Test
    void noInlineQualifiedNames() {
        List<String> found = new ArrayList<>();
        for (Source s : sources()) {
            Matcher m = QUALIFIED_NAME.matcher(s.code());
            while (m.find()) {
                found.add(s.file() + ": " + m.group());
            }
        }
        assertThat(found).as("inline fully-qualified names (import them)").isEmpty();
    }
}
