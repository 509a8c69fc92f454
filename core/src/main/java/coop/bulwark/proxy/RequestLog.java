package coop.bulwark.proxy;

import coop.bulwark.detect.RecorderSource;
import coop.bulwark.detect.RequestTraits;
import coop.bulwark.detect.TrafficRecorder;
import coop.bulwark.metrics.EdgeMetrics;
import coop.bulwark.metrics.SiteMeters;

/**
 * One request's record, written once when it completes: the site's meters (verdict, status class, origin latency),
 * the edge's request-duration timer, the request's detection record and its access-log line. Every way a request
 * can end (refused, limited, banned, challenged, answered from the cache or the origin, cut short) ends in
 * {@link #complete}, so a change to what is recorded is made here and nowhere else (the idea of Armeria's
 * {@code RequestLog}).
 *
 * <p>The decision chain fills in what it learns (site, verdict, detection traits); the relay adds the origin's
 * timing and completes it. A second {@link #complete} is ignored. Event-loop confined; no Netty.
 */
final class RequestLog {
    /** Longest request target written for a request no site took (it may be an attack's garbage). */
    static final int MAX_UNROUTED_PATH = 256;

    private final EdgeMetrics metrics;
    private final RecorderSource recorders;
    private final int loop;
    private final String protocol;
    private final long startNanos;
    private final long startMillis;
    private final String method;
    private String path;
    private String client;

    private Site site;
    private RequestTraits traits;
    private SiteMeters.VerdictLabel verdict = SiteMeters.VerdictLabel.REJECT;
    private String verdictText = SiteMeters.VerdictLabel.REJECT.label();
    /** The status detection counts when it differs from the one sent (a challenge page is a refusal, not a 503). */
    private int detectionStatus = -1;

    private boolean relayed;
    private long originStartNanos = -1;
    private long originHeadNanos = -1;
    private boolean completed;

    /**
     * @param recorders detection's recorders; {@code loop} is this event loop's index among them
     * @param protocol {@code http/1.1} or {@code h2}, for the access log
     * @param startNanos when the request head was read (the event loop's ticker)
     * @param startMillis the same instant as wall-clock time
     * @param client the client address as text (the connection's, until admission finds the real one)
     */
    RequestLog(
            EdgeMetrics metrics,
            RecorderSource recorders,
            int loop,
            String protocol,
            long startNanos,
            long startMillis,
            String method,
            String path,
            String client) {
        this.metrics = metrics;
        this.recorders = recorders;
        this.loop = loop;
        this.protocol = protocol;
        this.startNanos = startNanos;
        this.startMillis = startMillis;
        this.method = method;
        this.path = path;
        this.client = client;
    }

    /** The request was routed: to {@code site}, for {@code client}, with target {@code path} in origin form. */
    void routed(Site site, String client, String path) {
        this.site = site;
        this.client = client;
        this.path = path;
        verdict(SiteMeters.VerdictLabel.PASS);
    }

    /** What detection records of this request (null: not recorded, e.g. a posted challenge answer). */
    void traits(RequestTraits traits) {
        this.traits = traits;
    }

    RequestTraits traits() {
        return traits;
    }

    /** The protection verdict, its access-log text being the label's. */
    void verdict(SiteMeters.VerdictLabel label) {
        verdict(label, label.label());
    }

    /** The protection verdict, with the access log's finer text (e.g. {@code challenge_pass}). */
    void verdict(SiteMeters.VerdictLabel label, String text) {
        this.verdict = label;
        this.verdictText = text;
    }

    /** Detection counts this status instead of the one sent. */
    void detectionStatus(int status) {
        this.detectionStatus = status;
    }

    /** The request goes on to the cache and origin: its duration counts in the edge's request timer. */
    void relayed() {
        this.relayed = true;
    }

    /** The request's origin slot came (or it needed none) and the origin is being asked, at {@code nanos}. */
    void originStart(long nanos) {
        if (originStartNanos < 0) {
            originStartNanos = nanos;
        }
    }

    /** The origin's response head arrived at {@code nanos}. */
    void originHead(long nanos) {
        originHeadNanos = nanos;
    }

    /** When the exchange's origin request started (its slot came), or -1 before. */
    long originStartNanos() {
        return originStartNanos;
    }

    /** Nanoseconds from asking the origin to its response head; -1 when no head came. */
    long originNanos() {
        return originHeadNanos < 0 || originStartNanos < 0 ? -1 : originHeadNanos - originStartNanos;
    }

    long startNanos() {
        return startNanos;
    }

    Site site() {
        return site;
    }

    boolean completed() {
        return completed;
    }

    /**
     * The request is over: writes the meters, the detection record and the access-log line, once.
     *
     * @param status the status sent, 0 when the connection was closed without one, 499 when the client left first
     * @param bytes response body bytes sent
     * @param nowNanos the event loop's ticker now
     */
    void complete(int status, long bytes, long nowNanos) {
        if (completed) {
            return;
        }
        completed = true;
        long originNanos = originHeadNanos < 0 ? -1 : originHeadNanos - originStartNanos;
        SiteMeters meters = site == null ? metrics.unrouted() : site.meters();
        meters.verdict(verdict);
        meters.status(status);
        if (originNanos >= 0) {
            meters.originLatency(originNanos);
        }
        if (relayed) {
            metrics.requestDuration(nowNanos - startNanos);
        }
        if (traits != null) {
            TrafficRecorder r = recorders.recorder(loop, traits.site());
            if (r != null) {
                r.record(traits, detectionStatus >= 0 ? detectionStatus : status, bytes, originNanos);
            }
        }
        if (AccessLog.enabled()) {
            String p = site == null && path.length() > MAX_UNROUTED_PATH
                    ? path.substring(0, MAX_UNROUTED_PATH) + "..."
                    : path;
            AccessLog.write(new AccessLog.Entry(
                    startMillis,
                    site == null ? null : site.name(),
                    client,
                    method,
                    p,
                    status,
                    bytes,
                    originNanos < 0 ? -1 : originNanos / 1e6,
                    (nowNanos - startNanos) / 1e6,
                    protocol,
                    verdictText));
        }
    }
}
