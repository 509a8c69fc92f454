package coop.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import coop.bulwark.edge.EdgeServer;
import coop.bulwark.site.AdminConfig;
import coop.bulwark.site.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API listener ({@code admin.listen}): JSON endpoints and {@code /metrics} behind a bearer token, and an
 * unauthenticated {@code /healthz}. See docs/admin-api.md.
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver} with a fixed pool of {@value #THREADS} threads rather than on
 * Netty: the API serves a handful of operators and one Prometheus scraper, its work blocks (reloads load files and
 * resolve names, bans take a lock), and keeping it off the edge's event loops means a flood that saturates them
 * cannot lock the operators out, nor can a slow admin call stall client traffic. It adds no dependency. The default
 * loopback bind plus the token keep it out of reach of the clients the edge faces.
 *
 * <p>Thread-safe; {@link #close} stops the listener and the scheduler.
 */
public final class AdminServer implements AutoCloseable {
    /** Applies the config file again and returns whether the new config is now active (blocking). */
    @FunctionalInterface
    public interface Reload {
        boolean reload(String why);
    }

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    static final int THREADS = 2;
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_AUTH_FAILURES = 10;
    static final Duration AUTH_WINDOW = Duration.ofMinutes(1);

    private final HttpServer server;
    private final ExecutorService workers;
    private final ScheduledExecutorService scheduler;
    private final AdminApi api;
    private final UpstreamApi upstream;
    private final AdminToken token;
    private final AuthFailures failures;
    private final DashboardAssets dashboard = new DashboardAssets();
    private final ObjectMapper json = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private AdminServer(
            AdminConfig config, EdgeServer edge, Reload reload, Clock clock, String version, int maxAuthFailures)
            throws IOException {
        InetAddress bindAddress = checkBind(config);
        this.token = AdminToken.loadOrCreate(config.tokenFile());
        this.failures = new AuthFailures(clock, maxAuthFailures, AUTH_WINDOW, 10_000);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bulwark-admin-timer"));
        SiteRates rates = new SiteRates();
        StateOverrides overrides = new StateOverrides(clock, scheduler);
        this.api = new AdminApi(edge, reload, rates, overrides, clock, version);
        // Pins made by operators on other edges are applied here like one made here (with their expiry).
        edge.cluster().ifPresent(c -> c.onPins(new ClusterPins(edge, overrides, clock)));
        this.upstream = new UpstreamApi(edge, clock);
        this.workers = Executors.newFixedThreadPool(THREADS, r -> daemon(r, "bulwark-admin"));
        try {
            this.server = HttpServer.create(
                    new InetSocketAddress(bindAddress, config.listen().port()), 64);
        } catch (IOException e) {
            workers.shutdownNow();
            scheduler.shutdownNow();
            throw new IOException("admin.listen " + config.listen() + ": cannot listen: " + e.getMessage(), e);
        }
        server.setExecutor(workers);
        server.createContext("/", this::handle);
        server.start();
        scheduler.scheduleAtFixedRate(
                () -> {
                    try {
                        rates.sample(edge.snapshot(), System.nanoTime());
                    } catch (RuntimeException e) {
                        LOG.warn("rate sampling failed", e);
                    }
                },
                0,
                1,
                TimeUnit.SECONDS);
        LOG.info("admin API on http://{} (token in {})", address(), config.tokenFile());
    }

    /**
     * Starts the admin server for {@code edge}.
     *
     * @param reload applies the config file again (the serve command passes its reloader)
     * @throws IOException when the address is refused (non-loopback without {@code allow_insecure_remote}), cannot be
     *     bound, or the token file cannot be read or created; the message says which and what to do
     */
    public static AdminServer start(AdminConfig config, EdgeServer edge, Reload reload, Clock clock, String version)
            throws IOException {
        return new AdminServer(config, edge, reload, clock, version, MAX_AUTH_FAILURES);
    }

    /** {@link #start} with another failed-authentication limit per source and minute (tests). */
    static AdminServer start(
            AdminConfig config, EdgeServer edge, Reload reload, Clock clock, String version, int maxAuthFailures)
            throws IOException {
        return new AdminServer(config, edge, reload, clock, version, maxAuthFailures);
    }

    private static InetAddress checkBind(AdminConfig config) throws IOException {
        HostPort hp = config.listen();
        InetAddress a;
        try {
            a = InetAddress.getByName(hp.host());
        } catch (UnknownHostException e) {
            throw new IOException("admin.listen " + hp + ": cannot resolve " + hp.host(), e);
        }
        if (!a.isLoopbackAddress() && !config.allowInsecureRemote()) {
            throw new IOException("admin.listen " + hp + ": not a loopback address, and the admin API has no TLS:"
                    + " the token and every ban would cross the network in clear text. Listen on 127.0.0.1 and use an"
                    + " SSH tunnel, or put a TLS proxy in front and set admin.allow_insecure_remote: true");
        }
        return a;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The bound address (useful with port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The token clients must present (for tests in this process). */
    String tokenValue() {
        return token.value();
    }

    private void handle(HttpExchange ex) {
        try {
            authenticateAndRoute(ex);
        } catch (IOException | RuntimeException e) {
            // The cause goes to the log; the client gets a short reason, never a stack trace.
            LOG.warn("admin API: {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            try {
                error(ex, 500, "internal error (see the edge's log)");
            } catch (IOException | RuntimeException ignored) {
                // Headers already sent, or the client went away.
            }
        } finally {
            ex.close();
        }
    }

    private void authenticateAndRoute(HttpExchange ex) throws IOException {
        {
            String path = ex.getRequestURI().getRawPath();
            if (path.equals("/healthz")) {
                text(ex, 200, "text/plain; charset=utf-8", "ok\n");
                return;
            }
            if (DashboardAssets.isAssetPath(path)) {
                asset(ex, path);
                return;
            }
            InetAddress source = ex.getRemoteAddress().getAddress();
            if (failures.lockedOut(source)) {
                ex.getResponseHeaders().set("Retry-After", Long.toString(failures.retryAfterSeconds(source)));
                error(ex, 429, "too many failed authentications from this address; retry later");
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7) : null;
            if (!token.matches(presented)) {
                failures.record(source);
                LOG.debug("admin API: bad or missing token from {}", source);
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"bulwark\"");
                error(ex, 401, "missing or wrong bearer token (see admin.token_file)");
                return;
            }
            api.adminClient(source);
            try {
                route(ex, ex.getRequestMethod(), path);
            } catch (ApiException e) {
                error(ex, e.status(), e.getMessage());
            }
        }
    }

    private void route(HttpExchange ex, String method, String path) throws IOException, ApiException {
        String[] parts = path.length() > 1 ? path.substring(1).split("/", -1) : new String[0];
        switch (parts.length > 0 ? parts[0] : "") {
            case "metrics" -> {
                allow(method, "GET");
                text(ex, 200, "text/plain; version=0.0.4; charset=utf-8", api.metrics());
            }
            case "api" -> api(ex, method, parts);
            default -> throw ApiException.notFound("no such endpoint: " + path);
        }
    }

    private void api(HttpExchange ex, String method, String[] p) throws IOException, ApiException {
        String resource = p.length > 1 ? p[1] : "";
        String id = p.length > 2 ? URLDecoder.decode(p[2], StandardCharsets.UTF_8) : null;
        switch (resource) {
            case "status" -> {
                only(p, 2);
                allow(method, "GET");
                send(ex, 200, api.status());
            }
            case "sites" -> {
                if (p.length == 2) {
                    allow(method, "GET");
                    send(ex, 200, api.sites());
                } else if (p.length == 3) {
                    allow(method, "GET");
                    send(ex, 200, api.site(id));
                } else if (p.length == 4 && p[3].equals("state")) {
                    allow(method, "POST");
                    send(ex, 200, api.state(id, body(ex)));
                } else {
                    throw ApiException.notFound(
                            "no such endpoint: " + ex.getRequestURI().getRawPath());
                }
            }
            case "attacks" -> {
                if (p.length == 2) {
                    allow(method, "GET");
                    send(ex, 200, api.attacks());
                } else {
                    only(p, 3);
                    allow(method, "GET");
                    AdminApi.Rendered r = api.attack(id, query(ex, "format"), query(ex, "lang"));
                    if (r.mediaType().startsWith("text/html")) {
                        // A report opened on its own: nothing in it may run or load (the HTML is self-contained).
                        ex.getResponseHeaders()
                                .set(
                                        "Content-Security-Policy",
                                        "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
                        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
                    }
                    text(ex, 200, r.mediaType(), r.body());
                }
            }
            case "bans" -> {
                only(p, 2);
                switch (method) {
                    case "GET" -> send(ex, 200, api.bans());
                    case "POST" -> send(ex, 201, api.ban(body(ex)));
                    case "DELETE" -> send(ex, 200, api.unban(query(ex, "subject")));
                    default -> throw new ApiException(405, method + " not allowed (expected: GET, POST or DELETE)");
                }
            }
            case "cluster" -> {
                only(p, 2);
                allow(method, "GET");
                send(ex, 200, api.cluster());
            }
            case "reload" -> {
                only(p, 2);
                allow(method, "POST");
                send(ex, 200, api.reload());
            }
            case "upstream" -> {
                if (p.length == 2) {
                    allow(method, "GET");
                    send(ex, 200, upstream.list());
                } else if (p.length == 3 && p[2].equals("apply")) {
                    allow(method, "POST");
                    send(ex, 200, upstream.apply(body(ex)));
                } else {
                    only(p, 3);
                    allow(method, "DELETE");
                    send(ex, 200, upstream.withdraw(id));
                }
            }
            default ->
                throw ApiException.notFound(
                        "no such endpoint: " + ex.getRequestURI().getRawPath());
        }
    }

    /** The dashboard's page and files: no token (they hold no data), GET or HEAD, strict same-origin policy. */
    private void asset(HttpExchange ex, String path) throws IOException {
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            error(ex, 405, method + " not allowed (expected: GET)");
            return;
        }
        DashboardAssets.Asset a = dashboard.get(path);
        if (a == null) {
            error(ex, 404, "dashboard file missing from this build: " + path);
            return;
        }
        var h = ex.getResponseHeaders();
        h.set("Content-Type", a.contentType());
        h.set("Cache-Control", "no-cache");
        h.set("Content-Security-Policy", DashboardAssets.CONTENT_SECURITY_POLICY);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        if (method.equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, a.bytes().length);
        ex.getResponseBody().write(a.bytes());
    }

    private static void only(String[] parts, int n) throws ApiException {
        if (parts.length != n) {
            throw ApiException.notFound("no such endpoint: /" + String.join("/", parts));
        }
    }

    private static void allow(String method, String expected) throws ApiException {
        if (!method.equals(expected)) {
            throw new ApiException(405, method + " not allowed (expected: " + expected + ")");
        }
    }

    private static String query(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) {
            return null;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0
                    && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8)
                            .equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private JsonNode body(HttpExchange ex) throws IOException, ApiException {
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "body: larger than " + MAX_BODY_BYTES + " bytes");
        }
        try {
            return json.readTree(bytes);
        } catch (IOException e) {
            throw ApiException.badRequest("body: not valid JSON");
        }
    }

    private void send(HttpExchange ex, int status, Object body) throws IOException {
        text(ex, status, "application/json", json.writeValueAsString(body) + "\n");
    }

    private void error(HttpExchange ex, int status, String message) throws IOException {
        send(ex, status, new ApiViews.Error(message));
    }

    private static void text(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        scheduler.shutdownNow();
    }
}
