package coop.bulwark.proxy;

import coop.bulwark.cache.HeaderView;
import java.util.List;

/**
 * A request head as the decision chain sees it: method, target, version and header fields, whatever the wire
 * protocol (the relay adapts Netty's HTTP/1.1 and HTTP/2 requests). Header names are case-insensitive.
 */
interface RequestHead extends HeaderView {
    /** The method as sent, upper case for the standard ones ({@code GET}). */
    String method();

    /** The request target as sent (origin, absolute, authority or asterisk form). */
    String uri();

    /** The HTTP major version (1 for HTTP/1.x, also for HTTP/2 streams converted to HTTP/1.1 objects). */
    int majorVersion();

    /** The HTTP minor version. */
    int minorVersion();

    /**
     * The status owed to a head the codec could not parse (400, 414 for a request line, 431 for header fields), or 0
     * for a well-formed head.
     */
    int malformedStatus();

    /**
     * Whether the request has a body to read (chunked, a positive length, or an HTTP/2 stream without END_STREAM).
     * Only for an admitted request: admission refuses framing fields this could not read.
     */
    boolean hasBody();

    /** Whether the whole header block arrived with its body in one message (an HTTP/2 HEADERS frame with END_STREAM). */
    boolean complete();

    /**
     * Removes the cookie {@code name} from the Cookie fields (and a field left empty): the one edit the chain makes,
     * so that the edge's own cookie never reaches an origin nor makes a request look personal to the cache.
     */
    void removeCookie(String name);

    /** The first value of {@code name}, or null. */
    @Override
    String get(String name);

    /** Every value of {@code name}, in order, one per field line. */
    @Override
    List<String> getAll(String name);
}
