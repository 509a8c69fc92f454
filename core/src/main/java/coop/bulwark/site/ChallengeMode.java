package coop.bulwark.site;

import java.util.Locale;

/** When a site's visitors meet the proof-of-work challenge ({@code sites[].challenge}). */
public enum ChallengeMode {
    /** Never. */
    OFF,
    /** Only while the site is {@link ProtectionState#UNDER_ATTACK} (the default). */
    AUTO,
    /** Always: the operator's "challenge everyone" switch. */
    ALWAYS;

    /** The config spelling: {@code off}, {@code auto}, {@code always}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a site in {@code state} challenges visitors without a valid cookie. */
    public boolean challenges(ProtectionState state) {
        return this == ALWAYS || this == AUTO && state == ProtectionState.UNDER_ATTACK;
    }
}
