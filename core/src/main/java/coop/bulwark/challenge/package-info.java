/**
 * The proof-of-work challenge, no Netty ({@code docs/challenge.md}): {@link coop.bulwark.challenge.ChallengeGate}
 * decides for a request (go on, limit, or answer with the page, a message or a redirect), {@link
 * coop.bulwark.challenge.PassCodec} signs and checks tokens and {@code bulwark_pass} cookies bound to site and client
 * prefix, {@link coop.bulwark.challenge.ChallengeKeys} keeps the rotating keys in a 0600 file, {@link
 * coop.bulwark.challenge.ChallengePages} renders the self-contained page and messages (en, es).
 *
 * <p>Requests are seen through {@link coop.bulwark.challenge.ChallengeRequest}. May import: {@code protect}, {@code
 * html}, {@code site}, {@code time}.
 */
package coop.bulwark.challenge;
