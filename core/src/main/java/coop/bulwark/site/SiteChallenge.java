package coop.bulwark.site;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A site's challenge settings ({@code sites[].challenge}): its mode and its overrides of the edge-wide
 * {@link ChallengeConfig}. Unset values inherit the edge-wide ones when the edge builds its challenge rules.
 *
 * @param mode when the site's visitors are challenged
 * @param difficulty leading zero bits asked of a browser outside {@code under_attack} (empty: edge-wide)
 * @param underAttackDifficulty leading zero bits asked while the site is under attack (empty: edge-wide)
 * @param exemptPaths path patterns never challenged on this site, in addition to the edge-wide ones
 * @param language the page's language when the browser asks for none the edge offers (empty: edge-wide first)
 */
public record SiteChallenge(
        ChallengeMode mode,
        OptionalInt difficulty,
        OptionalInt underAttackDifficulty,
        List<String> exemptPaths,
        Optional<String> language) {
    public SiteChallenge {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(difficulty, "difficulty");
        Objects.requireNonNull(underAttackDifficulty, "underAttackDifficulty");
        exemptPaths = List.copyOf(exemptPaths);
        Objects.requireNonNull(language, "language");
    }

    /** What a site without a {@code challenge:} key gets from the config file: {@code auto}, edge-wide values. */
    public static final SiteChallenge DEFAULTS = new SiteChallenge(
            ChallengeMode.AUTO, OptionalInt.empty(), OptionalInt.empty(), List.of(), Optional.empty());

    /** Never challenged (sites built in code without a challenge setting). */
    public static final SiteChallenge OFF =
            new SiteChallenge(ChallengeMode.OFF, OptionalInt.empty(), OptionalInt.empty(), List.of(), Optional.empty());

    /** The same settings with another mode. */
    public SiteChallenge withMode(ChallengeMode m) {
        return new SiteChallenge(m, difficulty, underAttackDifficulty, exemptPaths, language);
    }
}
