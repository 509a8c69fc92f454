/**
 * Protection decisions, no Netty: {@link coop.bulwark.protect.Gatekeeper} is the one decision point of the request
 * path (bans, per-address and per-prefix rates, per-address concurrency → a sealed
 * {@link coop.bulwark.protect.Verdict}), with escalating automatic bans ({@link coop.bulwark.protect.BanList}); the
 * limiters keep fixed memory whatever the number of sources ({@link coop.bulwark.protect.SourceRateLimiter}, GCRA in
 * a hashed table); {@link coop.bulwark.protect.OriginCapacity} shares an origin's slots max-min fairly among its
 * sites (the bulkhead); {@link coop.bulwark.protect.SiteGuard} is a site's live state and policy, kept across reloads.
 *
 * <p>Time comes from an injected {@code time.Ticker}. May import: {@code site}, {@code time}.
 */
package coop.bulwark.protect;
