package coop.bulwark.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * People reading the attacked sites in a real headless Chromium (scenario key {@code legit.chromium_readers}): the page
 * as a visitor's browser gets it, the challenge solved by the page's own script, the pass cookie kept as a browser
 * keeps it. A visit succeeds when the origin's page (title {@code member site}) is shown within
 * {@link #PATIENCE}; its latency runs from asking for the page to the page shown, a challenge's solving included.
 *
 * <p>Driven through Debian's {@code chromedriver} by the W3C WebDriver protocol, plain JSON over HTTP on loopback, so
 * the lab needs no browser-automation library at run time. One chromedriver serves every reader; each reader is a
 * session with a browser and a profile of its own. Browsers inherit this process's CPU affinity and priority (the
 * measuring clients' in {@code bench/flood-cost.sh}).
 */
final class ChromiumReaders implements AutoCloseable {
    static final File CHROMIUM = new File("/usr/bin/chromium");
    static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    /** How long a person waits for a page, a challenge included, before giving up on it. */
    static final Duration PATIENCE = Duration.ofSeconds(10);

    /** The origin model's page title ({@link OriginModel}): the visitor reached the site, not a challenge or error. */
    private static final String PAGE_TITLE = "member site";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final URI base;
    private final HttpClient http;
    private final Path profiles;

    private ChromiumReaders(Process driver, URI base, Path profiles) {
        this.driver = driver;
        this.base = base;
        this.profiles = profiles;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Whether Debian's chromium and chromium-driver packages are installed. */
    static boolean available() {
        return CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
    }

    /**
     * Starts chromedriver on a free loopback port and waits until it is ready (at most 30 s). chromedriver also listens
     * on the IPv6 loopback and gives up when that port is taken there, which a port free on IPv4 may be: then it is
     * tried again on another port (five times at most).
     */
    static ChromiumReaders start() throws IOException, InterruptedException {
        if (!available()) {
            throw new IOException("legit.chromium_readers needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (Debian packages chromium and chromium-driver)");
        }
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return startOnce();
            } catch (PortTaken e) {
                last = e;
            }
        }
        throw last;
    }

    /** chromedriver exited instead of listening (its port taken, on IPv6). */
    private static final class PortTaken extends IOException {
        PortTaken(String message) {
            super(message);
        }
    }

    private static ChromiumReaders startOnce() throws IOException, InterruptedException {
        int port = LoopbackPorts.freeOnBoth();
        Path profiles = Files.createTempDirectory("bulwark-lab-chromium-");
        // At a device's priority, as the challenge solvers: a reader's page (a proof of work in its script, a second or
        // more of CPU) must not hold the lab's clients that time other people's requests on the same core. Its
        // children, the browsers, inherit it and cannot raise it.
        Process p = new ProcessBuilder(DevicePriority.lowered(
                        List.of(CHROMEDRIVER.getPath(), "--port=" + port, "--allowed-ips=127.0.0.1")))
                .redirectErrorStream(true)
                .redirectOutput(profiles.resolve("chromedriver.log").toFile())
                .start();
        ChromiumReaders readers = new ChromiumReaders(p, URI.create("http://127.0.0.1:" + port), profiles);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                JsonNode status = readers.call("GET", "/status", null, Duration.ofSeconds(2));
                if (status.path("value").path("ready").asBoolean(false)) {
                    return readers;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(profiles.resolve("chromedriver.log"));
                readers.close();
                String message = (p.isAlive()
                                ? "chromedriver did not answer within 30 s"
                                : "chromedriver exited with status " + p.exitValue())
                        + "; its output: " + log.strip();
                // An exit within a few seconds is chromedriver failing to listen (its port taken on IPv6, which it
                // does not always say without --verbose): another port is tried.
                throw p.isAlive() ? new IOException(message) : new PortTaken(message);
            }
            Thread.sleep(100);
        }
    }

    /**
     * One person: a browser of their own reading the targets until the run ends, a page every think time on average
     * (front page or a post), through {@code ctx}'s edge; each visit recorded with {@link RunRecorder#chromium}.
     */
    void read(TrafficContext ctx, Scenario.LegitTraffic cfg, int index, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] targets =
                ctx.targetRanks().stream().mapToInt(Integer::intValue).sorted().toArray();
        if (targets.length == 0) {
            return;
        }
        String session;
        try {
            session = newSession(index);
        } catch (IOException e) {
            System.err.println("lab: chromium reader " + index + " did not start: " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            return;
        }
        long meanThink = cfg.thinkTime().toNanos();
        try {
            ctx.sleepUntil(System.nanoTime() + (long) (rnd.nextDouble() * meanThink));
            while (ctx.running()) {
                int rank = targets[rnd.nextInt(targets.length)];
                InetSocketAddress edge = ctx.edge();
                String path = rnd.nextInt(3) == 0 ? "/" : "/post/" + rnd.nextInt(500);
                String url = "http://" + Scenario.siteHost(rank) + ":" + edge.getPort() + path;
                long start = System.nanoTime();
                boolean ok = visit(session, url, start + PATIENCE.toNanos());
                long end = System.nanoTime();
                if (ctx.running()) {
                    ctx.recorder().chromium(ok, start, end);
                }
                ctx.sleepUntil(System.nanoTime() + (long) (-Math.log(1 - rnd.nextDouble()) * meanThink));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                call("DELETE", "/session/" + session, null);
            } catch (IOException | InterruptedException ignored) {
                // the browser goes with chromedriver in close()
            }
        }
    }

    /** Asks for the page and waits until the origin's page is shown (true) or the person's patience runs out. */
    private boolean visit(String session, String url, long deadlineNanos) throws InterruptedException {
        ObjectNode go = JSON.createObjectNode().put("url", url);
        try {
            JsonNode r = call("POST", "/session/" + session + "/url", go);
            if (r.path("value").has("error")
                    && !"timeout".equals(r.path("value").path("error").asText())) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        // The challenge page solves its puzzle and loads the page itself: poll the title until the page is there.
        ObjectNode title = JSON.createObjectNode().put("script", "return document.title");
        title.putArray("args");
        while (System.nanoTime() < deadlineNanos) {
            try {
                JsonNode r = call("POST", "/session/" + session + "/execute/sync", title);
                if (PAGE_TITLE.equals(r.path("value").asText(null))) {
                    return true;
                }
            } catch (IOException navigating) {
                // a navigation in progress: ask again
            }
            Thread.sleep(25);
        }
        try {
            call("POST", "/session/" + session + "/url", JSON.createObjectNode().put("url", "about:blank"));
        } catch (IOException ignored) {
            // the next visit navigates anyway
        }
        return false;
    }

    private String newSession(int index) throws IOException, InterruptedException {
        Path profile = Files.createDirectories(profiles.resolve("reader-" + index));
        ObjectNode caps = JSON.createObjectNode();
        ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        always.putObject("timeouts").put("pageLoad", PATIENCE.toMillis());
        ObjectNode chrome = always.putObject("goog:chromeOptions");
        chrome.put("binary", CHROMIUM.getPath());
        var args = chrome.putArray("args");
        for (String a : List.of(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
                // Every site's name to loopback, where the edge listens: no DNS, no other address.
                "--host-resolver-rules=MAP *.lab.test 127.0.0.1",
                "--window-size=1024,768",
                "--user-data-dir=" + profile)) {
            args.add(a);
        }
        JsonNode r = call("POST", "/session", caps);
        String id = r.path("value").path("sessionId").asText(null);
        if (id == null) {
            throw new IOException(
                    "no session: " + r.path("value").path("message").asText(r.toString()));
        }
        return id;
    }

    private JsonNode call(String method, String path, JsonNode body) throws IOException, InterruptedException {
        return call(method, path, body, PATIENCE.plusSeconds(20));
    }

    private JsonNode call(String method, String path, JsonNode body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode json = JSON.readTree(r.body());
        if (r.statusCode() >= 400
                && !"timeout".equals(json.path("value").path("error").asText())) {
            throw new IOException(json.path("value").path("message").asText("HTTP " + r.statusCode()));
        }
        return json;
    }

    /** Stops chromedriver and every browser it started, and deletes their profiles. */
    @Override
    public void close() {
        // Listed first: once chromedriver is gone its browsers are orphans no longer found under it.
        List<ProcessHandle> browsers = driver.descendants().toList();
        browsers.forEach(ProcessHandle::destroy);
        driver.destroy();
        try {
            driver.waitFor();
            for (ProcessHandle b : browsers) {
                b.onExit().get(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException stuck) {
            // killed below
        }
        browsers.forEach(ProcessHandle::destroyForcibly);
        try {
            ScratchFiles.deleteTree(profiles);
        } catch (IOException e) {
            System.err.println("lab: could not delete " + profiles + ": " + e.getMessage());
        }
    }
}
