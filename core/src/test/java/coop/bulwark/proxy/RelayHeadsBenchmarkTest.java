package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RelayHeadsBenchmark} still relays what it says, many times over on the same two channels: the origin gets the
 * rewritten request, the client the origin's answer with its body, so the benchmark cannot quietly measure less
 * after a change.
 */
class RelayHeadsBenchmarkTest {
    @ParameterizedTest
    @ValueSource(strings = {"wrk", "browser"})
    void relaysTheRequestAndTheAnswer(String request) throws Exception {
        var bench = new RelayHeadsBenchmark();
        bench.request = request;
        bench.setUp();
        try {
            for (int i = 0; i < 50; i++) {
                String[] sent = bench.relayOnce();
                assertThat(sent[0])
                        .startsWith("GET /1k.bin HTTP/1.1\r\n")
                        .containsIgnoringCase("host: bench.local\r\n")
                        .containsIgnoringCase("x-forwarded-for: 198.51.100.7\r\n")
                        .containsIgnoringCase("forwarded: for=198.51.100.7;proto=http;host=bench.local\r\n")
                        .doesNotContainIgnoringCase("connection:")
                        .endsWith("\r\n\r\n");
                assertThat(sent[1])
                        .startsWith("HTTP/1.1 200 OK\r\n")
                        .containsIgnoringCase("content-length: 1024\r\n")
                        .containsIgnoringCase("etag: \"6935b9b4-400\"\r\n")
                        .doesNotContainIgnoringCase("connection:")
                        .endsWith("x".repeat(1024));
            }
        } finally {
            bench.tearDown();
        }
    }
}
