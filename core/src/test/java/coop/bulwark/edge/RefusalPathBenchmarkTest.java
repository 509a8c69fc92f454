package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Each path of {@link RefusalPathBenchmark} still gets the answer it is named after (its setup checks three answers
 * and whether the connection stays open), so the benchmark cannot quietly measure another path after a change.
 */
class RefusalPathBenchmarkTest {
    @ParameterizedTest
    @ValueSource(strings = {"challenge", "limit", "cache", "bulkhead", "ban"})
    void eachPath_answersAsItsNameSays(String path) throws Exception {
        runs(path, 1);
    }

    /** The keep-alive paths taking turns over many connections, each from its own address, answer alike. */
    @ParameterizedTest
    @ValueSource(strings = {"challenge", "limit", "cache"})
    void keepAlivePaths_overManyConnections(String path) throws Exception {
        runs(path, 50);
    }

    private static void runs(String path, int connections) throws Exception {
        var bench = new RefusalPathBenchmark();
        bench.path = path;
        bench.connections = connections;
        try {
            bench.setUp();
            var bh = new Blackhole(
                    "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
            assertThatCode(() -> {
                        for (int i = 0; i < 100; i++) {
                            bench.refuse(bh);
                        }
                    })
                    .doesNotThrowAnyException();
            bh.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
        } finally {
            bench.tearDown();
        }
    }
}
