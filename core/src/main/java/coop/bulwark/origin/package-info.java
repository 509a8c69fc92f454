/**
 * Origins: each configured origin address's health and capacity ({@link coop.bulwark.origin.Origin}), pooled
 * keep-alive connections per event loop ({@link coop.bulwark.origin.OriginPool}, no locks: a client and its origin
 * connection share a thread), origin timeouts swept per loop ({@link coop.bulwark.origin.OriginDeadlines}) and active
 * health checks ({@link coop.bulwark.origin.OriginHealthChecker}).
 *
 * <p>Knows nothing of requests or sites beyond what it is handed: a listener for a connection's response
 * ({@link coop.bulwark.origin.OriginListener}) and the origins to check. May import: {@code protect} (an origin's
 * slots), {@code site} (addresses, pool settings). Imported by: {@code proxy}, {@code edge}, {@code incident},
 * {@code admin}.
 */
package coop.bulwark.origin;
