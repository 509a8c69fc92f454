/**
 * The running edge process: {@link coop.bulwark.edge.EdgeServer} binds the listeners, owns the event loops, origin
 * pools and health checks, builds and swaps config snapshots, and drains on close. Around the request path it adds
 * what only a connection has: the accept filter and connection gate (caps, bans at accept), the PROXY protocol,
 * protocol detection (h2c or HTTP/1.1), TLS with SNI certificates, the per-connection pipelines, and the config
 * reloader.
 *
 * <p>The outermost layer of the server: may import every feature package ({@code proxy}, {@code origin},
 * {@code incident}, ...); only {@code admin}, {@code cli} and the lab import it.
 */
package coop.bulwark.edge;
