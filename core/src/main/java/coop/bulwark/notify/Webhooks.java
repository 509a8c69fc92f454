package coop.bulwark.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.report.IncidentReport;
import coop.bulwark.report.ReportJson;
import coop.bulwark.report.ReportWriter;
import coop.bulwark.site.WebhookConfig;
import coop.bulwark.site.WebhookEvent;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends detection events to webhook receivers: one JSON POST per event and receiver (bodies in docs/reports.md),
 * signed when the receiver has a secret.
 *
 * <p>The caller is the detection tick, so {@link #publish} never blocks and never throws: it renders the body and
 * queues it. Each receiver has its own sender thread and bounded queue ({@code queueCapacity}, 256 by default);
 * when a queue is full the oldest waiting event is dropped and counted ({@link #dropped}), since the newest state
 * matters most. A sender delivers in order, one request at a time, and retries on a network error, a timeout, 429
 * or 5xx, up to the receiver's {@code max_retries}, after {@code Retry-After} when the receiver sends one (capped
 * at the maximum backoff) or else after an exponential backoff with jitter (0.5 s, 1 s, 2 s... up to 5 min, each
 * between half and all of that). Other responses (2xx: delivered; 3xx, 4xx: refused) end the attempts.
 *
 * <p>{@link #close} stops the senders at once: the attempt in flight is abandoned and queued events are dropped.
 * Thread-safe.
 */
public final class Webhooks implements AutoCloseable {
    public static final int DEFAULT_QUEUE_CAPACITY = 256;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);
    static final String SIGNATURE_HEADER = "X-Bulwark-Signature";

    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);

    private final List<Sender> senders = new ArrayList<>();
    private final int queueCapacity;
    private final long initialBackoffNanos;
    private final long maxBackoffNanos;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Clock clock = Clock.systemUTC(); // only to read HTTP dates in Retry-After
    private volatile boolean closed;

    /** Starts one sender per receiver, with the default queue capacity and backoff. */
    public Webhooks(List<WebhookConfig> hooks) {
        this(hooks, DEFAULT_QUEUE_CAPACITY, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF);
    }

    /**
     * @param queueCapacity events waiting per receiver, 1 to 100,000
     * @param initialBackoff the wait before the first retry (doubled for each next one)
     * @param maxBackoff the longest wait between attempts, also the cap on {@code Retry-After}
     */
    public Webhooks(List<WebhookConfig> hooks, int queueCapacity, Duration initialBackoff, Duration maxBackoff) {
        if (queueCapacity < 1 || queueCapacity > 100_000) {
            throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " (expected: 1-100000)");
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "backoff: " + initialBackoff + "-" + maxBackoff + " (expected: 0 <= initial <= max)");
        }
        this.queueCapacity = queueCapacity;
        this.initialBackoffNanos = initialBackoff.toNanos();
        this.maxBackoffNanos = maxBackoff.toNanos();
        int i = 0;
        for (WebhookConfig hook : hooks) {
            Sender s = new Sender(hook, i++);
            senders.add(s);
            s.thread.start();
        }
    }

    /** Queues one event for every receiver that wants it. */
    public void publish(DetectionEvent event) {
        publish(event, null, null);
    }

    /** Queues a tick's events. */
    public void publish(List<DetectionEvent> events) {
        for (DetectionEvent e : events) {
            publish(e, null, null);
        }
    }

    /**
     * Queues a tick's events; {@code attack_ended} bodies carry the summary of the matching report among {@code
     * ended} and, when {@code files} is given, where it is written.
     *
     * @param ended the reports {@code IncidentRecorder.onTick} returned for this tick
     * @param files e.g. {@code reportWriter::files}; may be null
     */
    public void publish(
            List<DetectionEvent> events, List<IncidentReport> ended, Function<String, ReportWriter.ReportFiles> files) {
        for (DetectionEvent e : events) {
            IncidentReport report = null;
            if (e instanceof DetectionEvent.AttackEnded x) {
                for (IncidentReport r : ended) {
                    if (r.id().equals(x.attack().id())) {
                        report = r;
                    }
                }
            }
            ReportWriter.ReportFiles where = null;
            if (report != null && files != null) {
                try {
                    where = files.apply(report.id());
                } catch (RuntimeException ex) {
                    LOG.debug("no report files for {}", report.id(), ex);
                }
            }
            publish(e, report, where);
        }
    }

    /**
     * Queues one event.
     *
     * @param report for attack_ended: the attack's final report, or null
     * @param files where that report is written, or null
     */
    public void publish(DetectionEvent event, IncidentReport report, ReportWriter.ReportFiles files) {
        if (closed || senders.isEmpty()) {
            return;
        }
        WebhookEvent kind = EventBodies.kind(event);
        byte[] body = null;
        for (Sender s : senders) {
            if (!s.config.wants(kind)) {
                continue;
            }
            if (body == null) {
                try {
                    body = EventBodies.of(event, report, files).toString().getBytes(StandardCharsets.UTF_8);
                } catch (RuntimeException ex) {
                    LOG.warn("webhook body for {} not built: {}", kind.key(), ex.toString());
                    return;
                }
            }
            s.offer(new Delivery(kind, UUID.randomUUID().toString(), body));
        }
    }

    /**
     * Queues an event that is not the detector's (an upstream announcement): {@code {"event", "at", "kind",
     * "detail"}}.
     */
    public void publish(WebhookEvent kind, Instant at, String mitigationKind, String detail) {
        if (closed || senders.isEmpty()) {
            return;
        }
        byte[] body = null;
        for (Sender s : senders) {
            if (!s.config.wants(kind)) {
                continue;
            }
            if (body == null) {
                ObjectNode o = ReportJson.mapper().createObjectNode();
                o.put("event", kind.key());
                o.put("at", at.toString());
                o.put("kind", mitigationKind);
                o.put("detail", detail);
                body = o.toString().getBytes(StandardCharsets.UTF_8);
            }
            s.offer(new Delivery(kind, UUID.randomUUID().toString(), body));
        }
    }

    /** Events accepted by a receiver with a 2xx response. */
    public long delivered() {
        return delivered.get();
    }

    /** Events given up: refused (3xx, 4xx other than 429) or still failing after the last retry. */
    public long failed() {
        return failed.get();
    }

    /** Events dropped unsent: pushed out of a full queue, or still queued at close. */
    public long dropped() {
        return dropped.get();
    }

    /** Stops every sender, abandoning the attempt in flight; waits at most about a second per sender. */
    @Override
    public void close() {
        closed = true;
        for (Sender s : senders) {
            s.stop();
        }
        for (Sender s : senders) {
            try {
                s.thread.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            s.client.shutdownNow();
        }
    }

    /** The {@code X-Bulwark-Signature} value for {@code body}: {@code sha256=} and the hex HMAC-SHA256. */
    public static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private record Delivery(WebhookEvent kind, String id, byte[] body) {}

    /** One receiver: its queue and the thread that drains it. */
    private final class Sender implements Runnable {
        final WebhookConfig config;
        final HttpClient client;
        final Thread thread;
        private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
        private boolean stopped; // guarded by queue

        Sender(WebhookConfig config, int index) {
            this.config = config;
            this.client = HttpClient.newBuilder()
                    .connectTimeout(config.timeout())
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            this.thread = new Thread(this, "bulwark-webhook-" + index);
            thread.setDaemon(true);
        }

        void offer(Delivery d) {
            synchronized (queue) {
                if (stopped) {
                    dropped.incrementAndGet();
                    return;
                }
                if (queue.size() >= queueCapacity) {
                    queue.pollFirst();
                    dropped.incrementAndGet();
                }
                queue.addLast(d);
                queue.notifyAll();
            }
        }

        void stop() {
            synchronized (queue) {
                stopped = true;
                dropped.addAndGet(queue.size());
                queue.clear();
                queue.notifyAll();
            }
            thread.interrupt();
        }

        private Delivery take() throws InterruptedException {
            synchronized (queue) {
                while (queue.isEmpty() && !stopped) {
                    queue.wait();
                }
                return stopped ? null : queue.pollFirst();
            }
        }

        @Override
        public void run() {
            try {
                for (Delivery d; (d = take()) != null; ) {
                    deliver(d);
                }
            } catch (InterruptedException e) {
                // closing
            }
        }

        private void deliver(Delivery d) throws InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(config.url())
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Bulwark-Webhook/1")
                    .header("X-Bulwark-Event", d.kind().key())
                    .header("X-Bulwark-Delivery", d.id())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()));
            if (config.secret() != null) {
                b.header(SIGNATURE_HEADER, signature(config.secret(), d.body()));
            }
            HttpRequest request = b.build();
            for (int attempt = 0; ; attempt++) {
                long waitNanos;
                String problem;
                try {
                    HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                    int status = response.statusCode();
                    if (status >= 200 && status < 300) {
                        delivered.incrementAndGet();
                        return;
                    }
                    if (status != 429 && status < 500) {
                        failed.incrementAndGet();
                        LOG.warn(
                                "webhook {} refused {} {}: HTTP {}",
                                config.redactedUrl(),
                                d.kind().key(),
                                d.id(),
                                status);
                        return;
                    }
                    problem = "HTTP " + status;
                    waitNanos = retryAfterNanos(response).orElse(backoffNanos(attempt));
                } catch (IOException e) {
                    problem = e.toString();
                    waitNanos = backoffNanos(attempt);
                }
                if (attempt >= config.maxRetries()) {
                    failed.incrementAndGet();
                    LOG.warn(
                            "webhook {} gave up on {} {} after {} attempts: {}",
                            config.redactedUrl(),
                            d.kind().key(),
                            d.id(),
                            attempt + 1,
                            problem);
                    return;
                }
                LOG.debug("webhook {} attempt {} failed ({}), retrying", config.redactedUrl(), attempt + 1, problem);
                Thread.sleep(Duration.ofNanos(waitNanos));
            }
        }
    }

    /** Exponential backoff with "equal jitter": between half and all of {@code initial * 2^attempt}, capped. */
    long backoffNanos(int attempt) {
        long d = initialBackoffNanos;
        for (int i = 0; i < attempt && d < maxBackoffNanos; i++) {
            d *= 2;
        }
        d = Math.min(d, maxBackoffNanos);
        return d / 2 + (d / 2 > 0 ? ThreadLocalRandom.current().nextLong(d - d / 2 + 1) : 0);
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date (RFC 9110 §10.2.3), capped at the maximum backoff. */
    private Optional<Long> retryAfterNanos(HttpResponse<?> response) {
        Optional<String> value = response.headers().firstValue("Retry-After");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String v = value.get().trim();
        long nanos;
        try {
            nanos = Duration.ofSeconds(Math.max(0, Long.parseLong(v))).toNanos();
        } catch (NumberFormatException | ArithmeticException e) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                nanos = Math.max(0, Duration.between(clock.instant(), at).toNanos());
            } catch (DateTimeParseException | ArithmeticException e2) {
                return Optional.empty();
            }
        }
        return Optional.of(Math.min(nanos, maxBackoffNanos));
    }
}
