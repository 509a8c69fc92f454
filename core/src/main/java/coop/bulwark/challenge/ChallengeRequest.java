package coop.bulwark.challenge;

/**
 * What the challenge needs to know about one request, read lazily from wherever the request lives (the edge adapts
 * its Netty request). Header names are given in lower case.
 */
public interface ChallengeRequest {
    /** The method, upper case ({@code GET}). */
    String method();

    /** The origin-form request target: path and query. */
    String uri();

    /** The first value of header {@code lowerCaseName}, or null. */
    String header(String lowerCaseName);

    /** The client address, 4 or 16 bytes; not to be modified. */
    byte[] address();

    /** Whether the client connected over TLS (the cookie is then {@code Secure}). */
    boolean tls();
}
