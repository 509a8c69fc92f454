package coop.bulwark.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Trailer fields a request may not carry (RFC 9110 §6.5.1): fields that frame the message, route it, modify the
 * request, authenticate it or control how its content is handled must not come after the body, where a recipient that
 * merges trailers into the header block would act on them late (request smuggling, a forged {@code X-Forwarded-For}
 * or {@code Authorization} after the edge decided on the head). A request with one is malformed: 400 and close.
 *
 * <p>HTTP/1.1's decoder drops {@code Content-Length}, {@code Transfer-Encoding} and {@code Trailer} trailers before
 * they get here; {@link StrictHttpServerCodec} refuses a request that sent them. HTTP/2 trailers arrive unfiltered.
 * Stateless.
 */
final class ForbiddenTrailers {
    private ForbiddenTrailers() {}

    private static final Set<String> NAMES = Set.of(
            // framing and connection control
            "content-length",
            "transfer-encoding",
            "trailer",
            "connection",
            "keep-alive",
            "proxy-connection",
            "upgrade",
            "te",
            // routing and what the edge sets itself
            "host",
            "forwarded",
            "x-forwarded-for",
            "x-forwarded-host",
            "x-forwarded-proto",
            "x-real-ip",
            "via",
            "max-forwards",
            // request modifiers
            "expect",
            "range",
            "if-match",
            "if-none-match",
            "if-modified-since",
            "if-unmodified-since",
            "if-range",
            "cache-control",
            "pragma",
            // authentication and state
            "authorization",
            "proxy-authorization",
            "cookie",
            // how the content is processed
            "content-type",
            "content-encoding",
            "content-range");

    /** Whether any field of {@code trailers} is forbidden (also an HTTP/2 pseudo-header in a trailer block). */
    static boolean any(HttpHeaders trailers) {
        if (trailers.isEmpty()) {
            return false;
        }
        for (var it = trailers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (forbidden(e.getKey())) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code name} may not be a request trailer field. */
    static boolean forbidden(CharSequence name) {
        if (name.isEmpty() || name.charAt(0) == ':') {
            return true;
        }
        return NAMES.contains(name.toString().toLowerCase(Locale.ROOT));
    }
}
