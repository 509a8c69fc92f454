/**
 * The request path: what happens to a request between its decoded head and its last response byte.
 *
 * <pre>
 * ProxyHandler ──► DecisionChain.decide ──► Decision (sealed) ──► carried out by ProxyHandler / ProxyExchange
 *                  admission → verdict → challenge → cache plan                      │
 *                                                                     RequestLog.complete (once per request)
 * </pre>
 *
 * <p>The {@link coop.bulwark.proxy.DecisionChain} and what it reads ({@code RequestHead}, {@code RequestAdmission},
 * {@code ChallengeStage}, {@code CacheStage}, {@code ClientInfo}) and the {@link coop.bulwark.proxy.RequestLog} use no
 * Netty, so they are unit-tested without sockets. The relay ({@code ProxyHandler} for the connection and the answers
 * the edge gives itself, {@code ProxyExchange} for a forwarded request) is Netty, event-loop confined, and completes
 * each request's log exactly once. A request keeps the {@link coop.bulwark.proxy.EdgeSnapshot} it started with; time
 * comes from the {@link coop.bulwark.proxy.EdgeRuntime}'s injected ticker and clock.
 *
 * <p>May import: {@code origin}, {@code protect}, {@code challenge}, {@code cache}, {@code detect}, {@code metrics},
 * {@code site}. Imported by: {@code edge}, {@code incident}, {@code admin}.
 */
package coop.bulwark.proxy;
