package coop.bulwark.proxy;

import java.net.InetAddress;

/** The edge's decision on a request head before anything is sent to an origin. */
sealed interface Admission {

    /**
     * The request goes to {@code site}.
     *
     * @param site the routed site
     * @param authority the host (and port, if given) the client asked for; becomes the origin request's Host
     * @param originUri the request target in origin form ({@code /path?query}), absolute-form already reduced
     * @param client the client address after trusted X-Forwarded-For processing
     */
    record Admitted(Site site, String authority, String originUri, InetAddress client) implements Admission {}

    /**
     * The edge answers itself.
     *
     * @param status the status code to send
     * @param reason a short public reason for the body (never internal detail)
     * @param close whether the connection must be closed after the response (framing may be unreliable)
     */
    record Refused(int status, String reason, boolean close) implements Admission {}
}
