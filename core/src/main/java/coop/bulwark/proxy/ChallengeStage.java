package coop.bulwark.proxy;

import coop.bulwark.challenge.ChallengeGate;
import coop.bulwark.challenge.ChallengeKeys;
import coop.bulwark.challenge.ChallengeOutcome;
import coop.bulwark.challenge.ChallengeRequest;
import coop.bulwark.challenge.PassCodec;
import coop.bulwark.challenge.ResponseBody;
import coop.bulwark.challenge.SeenCookies;
import coop.bulwark.protect.BanList;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.time.Ticker;
import java.io.IOException;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The challenge on the request path: shows a request to the {@link ChallengeGate} (package
 * {@code coop.bulwark.challenge}, where the logic lives), hands it posted answers, and keeps the edge's cookie away
 * from origins. The third step of the {@link DecisionChain}, after a pass (or cache-only) verdict:
 *
 * <pre>
 * DecisionChain: RequestAdmission → Gatekeeper.decide → ChallengeStage.decide → cache plan
 * </pre>
 *
 * <p>No Netty: {@link ChallengeResponses} writes its responses and reads posted answers.
 *
 * <p>One per edge, shared by every event loop: thread-safe. Key rotation writes its file on a virtual thread, never on
 * an event loop.
 */
public final class ChallengeStage {
    private static final Logger LOG = LoggerFactory.getLogger(ChallengeStage.class);

    private final ChallengeKeys keys;
    private final ChallengeGate gate;
    private final AtomicBoolean rotating = new AtomicBoolean();

    private ChallengeStage(ChallengeKeys keys, ChallengeGate gate) {
        this.keys = keys;
        this.gate = gate;
    }

    /**
     * Loads (or creates) the signing keys of {@code config} and builds the stage.
     *
     * @throws IOException when the key file cannot be read, parsed or created; the message says which and how to fix it
     */
    public static ChallengeStage start(EdgeConfig config, BanList bans, Ticker ticker, InstantSource clock)
            throws IOException {
        var c = config.challenge();
        ChallengeKeys keys = ChallengeKeys.open(c.keyFile(), c.keyRotation(), clock);
        ChallengeStage stage = new ChallengeStage(keys, new ChallengeGate(keys, bans, ticker, clock));
        stage.configure(config);
        return stage;
    }

    /** Takes a new config's challenge rules (before its snapshot goes live). The key file itself needs a restart. */
    public void configure(EdgeConfig config) {
        var c = config.challenge();
        if (!c.keyFile().equals(keys.file())) {
            LOG.warn(
                    "challenge.key_file changed: restart Bulwark to apply (keeping {})",
                    keys.file().orElse(null));
        }
        keys.rotation(c.keyRotation());
        gate.configure(c, config.sites(), config.protection().bans());
    }

    public ChallengeGate gate() {
        return gate;
    }

    /** The signing keys (a cluster shares them: {@code coop.bulwark.cluster.KeySync}). */
    public ChallengeKeys keys() {
        return keys;
    }

    /**
     * Rotates the signing key when due. Cheap when not (a clock read): the edge calls it every minute from an event
     * loop, and the rotation itself (a file write) runs on a virtual thread of its own.
     */
    public void rotateWhenDue() {
        if (!keys.rotationDue() || !rotating.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("bulwark-challenge-keys").start(() -> {
            try {
                if (keys.rotateIfDue()) {
                    LOG.info("challenge signing key rotated");
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("challenge key rotation: {}", e.getMessage());
            } finally {
                rotating.set(false);
            }
        });
    }

    /**
     * The challenge's decision on an admitted request. A request that goes on has the edge's cookie removed, so
     * origins never see it and it does not make the request look personal to the micro-cache.
     */
    ChallengeOutcome decide(Site site, View request, int passCookie, long holder) {
        var guard = site.guard();
        ChallengeOutcome o = gate.decide(site.name(), guard.index(), guard.state(), request, passCookie, holder);
        if (o instanceof ChallengeOutcome.Proceed) {
            stripCookies(request.head());
        }
        return o;
    }

    /**
     * The request's pass cookie checked for {@code site} ({@link ChallengeGate#passCookie}: >= 0 for a pass the site
     * accepts). Call before {@link #decide}, which takes the result and strips the cookie.
     */
    int pass(Site site, View request) {
        return gate.passCookie(site.name(), request);
    }

    /**
     * What the request's seen cookie says, counted against the cookie's limits when valid: its identity (>= 0) when it
     * counts as a person's, else a negative code ({@link SeenCookies#standing}). Call before {@link #decide}.
     */
    long seen(Site site, View request) {
        return gate.seen().checkIdentity(site.name(), request.head().get("cookie"), request.address());
    }

    /**
     * The cookie holder a request is limited as, from its {@link #pass} and {@link #seen} results: the identity of its
     * pass, else of its seen cookie; negative when it holds neither (a stranger, limited by its address).
     */
    static long holder(RequestHead head, int pass, long seen) {
        if (pass >= 0) {
            return PassCodec.identity(head.get("cookie"), PassCodec.COOKIE_NAME);
        }
        return seen >= 0 ? seen : -1;
    }

    /** A {@code Set-Cookie} value giving this client a new seen cookie for {@code site}. */
    String seenCookie(Site site, View request) {
        return gate.seen().setCookie(site.name(), request.address(), request.tls());
    }

    /** Removes the edge's own cookies from a request about to be answered without the challenge's say. */
    void stripCookies(RequestHead head) {
        head.removeCookie(PassCodec.COOKIE_NAME);
        head.removeCookie(PassCodec.SEEN_COOKIE_NAME);
    }

    /**
     * The challenge's decision as if the site were under attack (its page for a page request, its endpoint, a limit),
     * for a stranger its address's limits refused; a site whose challenge is {@code off} proceeds, never challenges.
     */
    ChallengeOutcome decideChallenging(Site site, View request, int passCookie) {
        var guard = site.guard();
        return gate.decide(site.name(), guard.index(), ProtectionState.UNDER_ATTACK, request, passCookie, -1);
    }

    /**
     * The gate's answer to a posted answer whose body (at most the {@code ReadAnswer}'s bytes) has been read, or a
     * 413 when it was longer.
     */
    ChallengeOutcome answer(String site, ChallengeRequest request, String body, boolean tooLarge) {
        if (tooLarge) {
            return new ChallengeOutcome.Respond(
                    413,
                    "text/plain; charset=utf-8",
                    ResponseBody.of("413: answer too large\n"),
                    0,
                    null,
                    null,
                    "challenge_fail",
                    false);
        }
        return gate.answer(site, request, body);
    }

    /**
     * The challenge's view of a request: the head the chain reads, the target in origin form, the client's address
     * and whether it came over TLS.
     */
    record View(RequestHead head, String uri, byte[] address, boolean tls) implements ChallengeRequest {
        @Override
        public String method() {
            return head.method();
        }

        @Override
        public String header(String lowerCaseName) {
            return head.get(lowerCaseName);
        }
    }
}
