package coop.bulwark.site;

import java.util.Locale;

/** The kinds of event a webhook can subscribe to; {@link #key()} is the YAML and JSON spelling. */
public enum WebhookEvent {
    /** A first site went under attack: a new attack. */
    ATTACK_STARTED,
    /** An open attack gained a target. */
    ATTACK_UPDATED,
    /** Every target of an attack is back to normal; the body carries the report's summary and files. */
    ATTACK_ENDED,
    /** Any site changed detection state (noisy during an attack: every target and bystander change). */
    STATE_CHANGED,
    /** The uplink entered the saturated state (detection.uplink): the pipe is full. */
    UPLINK_SATURATED,
    /** The uplink is back to ok after being saturated. */
    UPLINK_RECOVERED,
    /** An upstream rule was decided in suggest mode: the body carries the ExaBGP line an operator may apply. */
    UPSTREAM_SUGGESTED,
    /** An upstream rule (FlowSpec or RTBH) was announced, by auto mode or an operator. */
    UPSTREAM_ANNOUNCED,
    /** An upstream rule was withdrawn. */
    UPSTREAM_WITHDRAWN;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The event for a key such as {@code attack_started}. */
    public static WebhookEvent fromKey(String key) {
        for (WebhookEvent e : values()) {
            if (e.key().equals(key)) {
                return e;
            }
        }
        throw new IllegalArgumentException(
                "event: " + key + " (expected: attack_started, attack_updated, attack_ended, state_changed,"
                        + " uplink_saturated, uplink_recovered, upstream_suggested, upstream_announced or"
                        + " upstream_withdrawn)");
    }
}
