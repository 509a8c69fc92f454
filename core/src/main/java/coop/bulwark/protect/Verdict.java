package coop.bulwark.protect;

import coop.bulwark.site.BanPolicy.BanAction;

/**
 * The single decision on a request, made in the request path before anything reaches an origin. Closed set:
 * every caller switches on it exhaustively.
 */
public sealed interface Verdict {
    /** Go on (cache, then origin). */
    Pass PASS = new Pass();

    /** The one cache-only verdict (it carries nothing: a flood's every request need not allocate its own). */
    CacheOnly CACHE_ONLY = new CacheOnly();

    /** The access-log and metrics name of this verdict. */
    String kind();

    /** Serve normally. */
    record Pass() implements Verdict {
        @Override
        public String kind() {
            return "pass";
        }
    }

    /**
     * Over a rate or concurrency limit: 429 with {@code Retry-After}.
     *
     * @param retryAfterNanos when the client may try again
     * @param reason which limit (for the log, not the client)
     */
    record Limit(long retryAfterNanos, String reason) implements Verdict {
        @Override
        public String kind() {
            return "limit";
        }

        /** Retry-After in whole seconds, at least 1. */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L);
        }
    }

    /**
     * The source is banned: answered according to {@code action}.
     *
     * @param reason the ban's reason (for the log)
     */
    record Ban(BanAction action, String reason) implements Verdict {
        @Override
        public String kind() {
            return "ban";
        }
    }

    /** Under attack: answer from the cache only; the origin is reached only to fill an empty entry, coalesced. */
    record CacheOnly() implements Verdict {
        @Override
        public String kind() {
            return "cache_only";
        }
    }
}
