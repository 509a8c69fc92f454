package coop.bulwark.detect;

import java.time.Instant;

/**
 * One site named as a target of an {@link Attack}.
 *
 * @param site the site's index
 * @param name the site's name
 * @param since when it entered {@link SiteState#UNDER_ATTACK} in this attack
 * @param peakRps its highest one-interval rate during the attack
 * @param baselineRps its long baseline when it was named
 * @param peakExcessRps its highest rate above baseline: the ranking key
 */
public record AttackTarget(
        int site, String name, Instant since, double peakRps, double baselineRps, double peakExcessRps) {}
