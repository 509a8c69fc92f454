package coop.bulwark.detect;

import java.util.Locale;

/**
 * A site's detection state. The edge has three protection states; {@link #policyKey()} maps these four onto them:
 * {@code RECOVERING} keeps the {@code suspect} policy (tighter buckets for sources without a cookie) so lifting
 * the challenge does not at once reopen the door to a flood that only paused.
 */
public enum SiteState {
    /** Traffic within its baseline. */
    NORMAL,
    /** Rate above baseline, not (yet) judged hostile. */
    SUSPECT,
    /** Rate far above baseline with a hostile sign, confirmed over consecutive ticks. */
    UNDER_ATTACK,
    /** Calm again after an attack; held for a minimum dwell before returning to normal. */
    RECOVERING;

    /** The lower-case spelling used in events and logs. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The protection state key the edge should apply ({@code ProtectionState.fromKey(key)}): {@code normal},
     * {@code suspect} (for both {@code SUSPECT} and {@code RECOVERING}) or {@code under_attack}.
     */
    public String policyKey() {
        return switch (this) {
            case NORMAL -> "normal";
            case SUSPECT, RECOVERING -> "suspect";
            case UNDER_ATTACK -> "under_attack";
        };
    }
}
