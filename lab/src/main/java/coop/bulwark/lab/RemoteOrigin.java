package coop.bulwark.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

/**
 * The origin model of another process ({@code bulwark lab --origin-only}), read over loopback from its counters
 * endpoint. {@link #connect} refuses a model whose settings or targets differ from the scenario's, so an external run
 * is driven against the same origin as the in-process ones.
 */
public final class RemoteOrigin implements OriginView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final URI stats;
    private final int workers;
    private final PrintStream warnings;
    private Sample last;
    private boolean warned;

    private RemoteOrigin(HttpClient client, URI stats, int workers, Sample first, PrintStream warnings) {
        this.client = client;
        this.stats = stats;
        this.workers = workers;
        this.last = first;
        this.warnings = warnings;
    }

    /** Thrown when no model answers on the port, or it models another origin than the scenario's. */
    public static final class Mismatch extends IOException {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message);
        }
    }

    /** Connects to the model on 127.0.0.1:{@code port} and checks it is {@code scenario}'s origin. */
    public static RemoteOrigin connect(int port, Scenario scenario, Set<String> targetHosts, PrintStream warnings)
            throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        URI uri = URI.create("http://127.0.0.1:" + port + OriginModel.STATS_PATH);
        JsonNode n;
        try {
            n = fetch(client, uri);
        } catch (IOException e) {
            throw new Mismatch("no origin model answers on 127.0.0.1:" + port
                    + " (start one with: bulwark lab --scenario " + scenario.name() + " --origin-only --origin-port "
                    + port + "): " + e.getMessage());
        }
        String want = OriginModel.identity(scenario.origin(), targetHosts);
        String got = n.path("identity").asText();
        if (!want.equals(got)) {
            throw new Mismatch("the origin model on 127.0.0.1:" + port + " is not scenario " + scenario.name()
                    + "'s: it models " + got + ", the scenario " + want);
        }
        return new RemoteOrigin(client, uri, n.path("workers").asInt(), sampleOf(n), warnings);
    }

    private static JsonNode fetch(HttpClient client, URI uri) throws IOException, InterruptedException {
        HttpResponse<String> res = client.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IOException("HTTP " + res.statusCode() + " from " + uri);
        }
        return JSON.readTree(res.body());
    }

    private static Sample sampleOf(JsonNode n) {
        return new Sample(
                n.path("attack_arrived").asLong(),
                n.path("legit_arrived").asLong(),
                n.path("busy").asInt(),
                n.path("queued").asInt());
    }

    /** The counters now; the previous ones (and one warning) when the model does not answer. */
    @Override
    public synchronized Sample sample() {
        try {
            last = sampleOf(fetch(client, stats));
        } catch (IOException e) {
            if (!warned) {
                warned = true;
                warnings.println(
                        "lab: origin model counters unreadable (" + e.getMessage() + "); origin figures stall");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return last;
    }

    @Override
    public int workers() {
        return workers;
    }
}
