/**
 * The JIT warm-up at start: before {@code bulwark serve} listens, a throw-away edge on loopback is driven through
 * every path a flood takes (challenge pages, refusals, bans, the cache, proxying) until the JIT has compiled them, so
 * an attack meets compiled code and not a JVM compiling it on the core the edge needs (BENCHMARKS.md, "Warm-up").
 * Blocking sockets only: no Netty here.
 */
package coop.bulwark.warmup;
