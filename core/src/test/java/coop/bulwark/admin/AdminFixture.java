package coop.bulwark.admin;

import coop.bulwark.edge.EdgeServer;
import coop.bulwark.site.AdminConfig;
import coop.bulwark.site.ChallengeConfig;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.HostPort;
import coop.bulwark.site.Listen;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An edge with two sites on a loopback ephemeral port plus its admin server on another, and an HTTP client for the
 * API. The origins are not running: these tests look at the edge's state, not at proxied responses.
 */
final class AdminFixture implements AutoCloseable {
    static final String YAML = """
            listen:
              http: 127.0.0.1:1
              event_loops: 1
            access_log: {enabled: false}
            sites:
              - name: alpha
                hosts: [alpha.test]
                origins: [127.0.0.1:9]
              - name: beta
                hosts: [beta.test]
                origins: [127.0.0.1:9]
            """;

    final EdgeServer edge;
    final AdminServer admin;
    final Path tokenFile;
    final AtomicBoolean reloadAccepts = new AtomicBoolean(true);
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminFixture(Path dir) throws Exception {
        this(dir, AdminServer.MAX_AUTH_FAILURES);
    }

    AdminFixture(Path dir, int maxAuthFailures) throws Exception {
        this(dir, YAML, maxAuthFailures);
    }

    /** With both sites proxying to {@code origin} (host:port) instead of a closed port. */
    AdminFixture(Path dir, int maxAuthFailures, String origin) throws Exception {
        this(dir, YAML.replace("127.0.0.1:9", origin), maxAuthFailures);
    }

    /** With a config of the test's own ({@code listen} and {@code drain_timeout} are overridden). */
    AdminFixture(Path dir, String yaml, int maxAuthFailures) throws Exception {
        EdgeConfig parsed = ConfigLoader.parse(yaml, dir.resolve("bulwark.yaml"));
        EdgeConfig config = parsed.toBuilder()
                .listen(new Listen(Optional.of(new HostPort("127.0.0.1", 0)), Optional.empty(), 1))
                .drainTimeout(Duration.ofSeconds(1))
                .challenge(ChallengeConfig.DEFAULTS) // signing keys in memory: no key file in the test's directory
                .build();
        this.tokenFile = dir.resolve("admin.token");
        this.edge = EdgeServer.start(config);
        AdminConfig ac = new AdminConfig(true, new HostPort("127.0.0.1", 0), tokenFile, false);
        this.admin = AdminServer.start(
                ac,
                edge,
                why -> {
                    if (!reloadAccepts.get()) {
                        return false;
                    }
                    try {
                        edge.reload(config);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                },
                Clock.systemUTC(),
                "test",
                maxAuthFailures);
    }

    String base() {
        return "http://127.0.0.1:" + admin.address().getPort();
    }

    HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(method, path, body, admin.tokenValue());
    }

    @Override
    public void close() {
        admin.close();
        edge.close();
    }
}
