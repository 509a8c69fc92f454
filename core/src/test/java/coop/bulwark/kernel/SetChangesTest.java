package coop.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.protect.Ban;
import coop.bulwark.protect.BanOrigin;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.KernelConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What goes into a batch: the pure part of the export, with a fixed clock. */
class SetChangesTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    private static Ban ban(String subject, Duration ttl) {
        return new Ban(Cidr.parse(subject), ttl == null ? null : NOW.plus(ttl), "test", BanOrigin.MANUAL, 0);
    }

    private static DesiredSet desired(Ban... bans) {
        return DesiredSet.of(List.of(bans), List.of(), Duration.ofSeconds(30), NOW);
    }

    private static Map<Cidr, SetElement> kernel(SetElement... elements) {
        Map<Cidr, SetElement> m = new HashMap<>();
        for (SetElement e : elements) {
            m.put(e.subject(), e);
        }
        return m;
    }

    private static SetElement element(String subject, Duration left) {
        return new SetElement(Cidr.parse(subject), left == null ? null : NOW.plus(left));
    }

    @Test
    void desiredLeavesOutShortBansAndProtectedOnes_andKeepsTheBroadestOfOverlaps() {
        DesiredSet d = DesiredSet.of(
                List.of(
                        ban("198.51.100.7", Duration.ofMinutes(10)),
                        ban("198.51.100.0/24", Duration.ofMinutes(1)),
                        ban("198.51.0.0/16", Duration.ofSeconds(29)), // under min_ban
                        ban("203.0.113.5", Duration.ofMinutes(10)),
                        ban("192.0.2.0/24", null),
                        ban("2001:db8::1", Duration.ofMinutes(10)),
                        ban("2001:db8::/64", Duration.ofMinutes(10))),
                List.of(Cidr.parse("203.0.113.0/28")),
                Duration.ofSeconds(30),
                NOW);
        assertThat(d.elements())
                .containsOnlyKeys(
                        Cidr.parse("198.51.100.0/24"), Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8::/64"));
        assertThat(d.skippedProtected()).isEqualTo(1);
    }

    @Test
    void minBanZeroStillSkipsBansAboutToEnd() {
        DesiredSet d = DesiredSet.of(
                List.of(ban("198.51.100.1", Duration.ofMillis(500)), ban("198.51.100.2", Duration.ofSeconds(2))),
                List.of(),
                Duration.ZERO,
                NOW);
        assertThat(d.elements()).containsOnlyKeys(Cidr.parse("198.51.100.2"));
    }

    @Test
    void newBansAreAdded_liftedOnesDeleted_matchingOnesLeftAlone() {
        SetChanges c = SetChanges.between(
                kernel(
                        element("198.51.100.1", Duration.ofMinutes(10)),
                        element("198.51.100.2", Duration.ofMinutes(10))),
                desired(
                        ban("198.51.100.1", Duration.ofMinutes(10).plusMillis(900)),
                        ban("198.51.100.3", Duration.ofMinutes(5))),
                NOW);
        assertThat(c.delete()).extracting(SetElement::subject).containsExactly(Cidr.parse("198.51.100.2"));
        assertThat(c.add()).extracting(SetElement::subject).containsExactly(Cidr.parse("198.51.100.3"));
    }

    @Test
    void aChangedExpiryIsADeleteAndAnAdd() {
        SetChanges c = SetChanges.between(
                kernel(element("198.51.100.1", Duration.ofMinutes(1)), element("2001:db8::1", null)),
                desired(ban("198.51.100.1", Duration.ofHours(1)), ban("2001:db8::1", Duration.ofHours(1))),
                NOW);
        assertThat(c.delete())
                .extracting(SetElement::subject)
                .containsExactlyInAnyOrder(Cidr.parse("198.51.100.1"), Cidr.parse("2001:db8::1"));
        assertThat(c.add()).extracting(SetElement::expiresAt).containsOnly(NOW.plus(Duration.ofHours(1)));
    }

    @Test
    void elementsAboutToExpireAreLeftToTheKernel_andWhatOverlapsThemWaits() {
        SetChanges c = SetChanges.between(
                kernel(element("198.51.100.1", Duration.ofSeconds(1)), element("198.51.100.2", Duration.ofSeconds(1))),
                desired(ban("198.51.100.1", Duration.ofHours(1)), ban("198.51.100.0/24", Duration.ofHours(1))),
                NOW);
        // Deleting either could fail the batch if it expires first; the /24 would overlap them.
        assertThat(c.isEmpty()).isTrue();

        SetChanges later = SetChanges.between(
                kernel(element("198.51.100.1", Duration.ofSeconds(1))),
                desired(ban("198.51.100.0/24", Duration.ofHours(1))),
                NOW.plusSeconds(2));
        assertThat(later.add()).extracting(SetElement::subject).containsExactly(Cidr.parse("198.51.100.0/24"));
    }

    @Test
    void aNetworkReplacesTheAddressesInsideInOneBatch() {
        SetChanges c = SetChanges.between(
                kernel(
                        element("198.51.100.1", Duration.ofMinutes(10)),
                        element("198.51.100.2", Duration.ofMinutes(10))),
                desired(ban("198.51.100.0/24", Duration.ofHours(1)), ban("198.51.100.1", Duration.ofMinutes(10))),
                NOW);
        assertThat(c.delete()).hasSize(2);
        assertThat(c.add()).extracting(SetElement::subject).containsExactly(Cidr.parse("198.51.100.0/24"));
    }

    @Test
    void scriptsSpellElementsAsNftDoes() {
        var t = new NftTable("bulwark", KernelConfig.Hook.PREROUTING, Optional.empty());
        String s = t.changesScript(
                new SetChanges(
                        List.of(element("198.51.100.1", Duration.ofMinutes(1))),
                        List.of(element("198.51.100.0/24", Duration.ofMillis(90_500)), element("2001:db8::/32", null))),
                NOW);
        assertThat(s)
                .isEqualTo("delete element inet bulwark banned4 { 198.51.100.1 }\n"
                        + "add element inet bulwark banned4 { 198.51.100.0/24 timeout 90500ms }\n"
                        + "add element inet bulwark banned6 { 2001:db8:0:0:0:0:0:0/32 }\n");
    }
}
