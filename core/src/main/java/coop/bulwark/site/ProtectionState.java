package coop.bulwark.site;

import java.util.Locale;

/**
 * A site's protection state, which selects its {@link StatePolicy}. Set by config or the admin API today; detection
 * drives it later ({@code normal → suspect → under_attack}).
 */
public enum ProtectionState {
    NORMAL,
    SUSPECT,
    UNDER_ATTACK;

    /** The config spelling: {@code normal}, {@code suspect}, {@code under_attack}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the config spelling; null when unknown. */
    public static ProtectionState fromKey(String key) {
        for (ProtectionState s : values()) {
            if (s.key().equals(key)) {
                return s;
            }
        }
        return null;
    }
}
