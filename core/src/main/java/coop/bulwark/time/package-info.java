/**
 * The monotonic time source, {@link coop.bulwark.time.Ticker}, injected into whatever measures elapsed time
 * (the per-source rate limiters of {@code protect} and {@code challenge}). Logic never calls {@link System#nanoTime()} itself:
 * an injected ticker lets tests and the lab drive time by hand, deterministically and without sleeps, and keeps
 * one clock per component so readings compared by subtraction come from the same source. Wall-clock time
 * (timestamps shown to people, cookie expiry) is a separate {@link java.time.InstantSource}.
 */
package coop.bulwark.time;
