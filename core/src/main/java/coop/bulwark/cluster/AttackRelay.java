package coop.bulwark.cluster;

import coop.bulwark.detect.AttackClaims;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One attack id and one report across the cluster: every {@link TrafficRelay#EVERY}, the attack open on this edge has
 * each of its target sites claimed in the store ({@code P:attack:SITE} = {@code ID NODE}, set only if free, renewed
 * while the attack lasts, {@link #CLAIM_TTL}); what the store holds goes back to {@link AttackClaims}, so an edge that
 * declared second takes the first one's id and leaves the report to it. The owner's reports are stored under
 * {@code P:report:ID} for {@link #REPORT_TTL}, where any edge's API reads them.
 *
 * <p>Store away: nothing is claimed, and {@link AttackClaims} is told, so each edge names and reports alone. A claim
 * outlives its attack by at most {@link #CLAIM_TTL} when its owner stops without giving it back; a flood that starts
 * again within that time is named as the same attack.
 *
 * <p>Confined to the {@link ClusterLink}'s thread, but {@link #report} (the admin API's thread).
 */
final class AttackRelay {
    static final Duration CLAIM_TTL = Duration.ofSeconds(30);
    static final Duration REPORT_TTL = Duration.ofDays(7);

    private final ClusterLink link;
    private AttackClaims claims;
    /** The claims in force as this edge last saw them, by site: the value, {@code ID NODE}. */
    private final Map<String, String> held = new HashMap<>();

    AttackRelay(ClusterLink link) {
        this.link = link;
    }

    void attach(AttackClaims claims) {
        this.claims = claims;
    }

    void poll() {
        if (claims == null) {
            return;
        }
        boolean online = link.connected();
        claims.online(online);
        if (!online) {
            held.clear();
            return;
        }
        AttackClaims.Open open = claims.open();
        for (Map.Entry<String, String> e : List.copyOf(held.entrySet())) {
            String site = e.getKey();
            if (open == null || !open.sites().contains(site)) {
                held.remove(site);
                claims.forget(site);
                if (owner(e.getValue()).equals(link.node())) {
                    link.call(link.store().release("attack:" + site, e.getValue()), ok -> {}, () -> {});
                }
            }
        }
        if (open != null) {
            for (String site : open.sites()) {
                String mine = held.getOrDefault(site, open.id() + " " + link.node());
                if (!id(mine).equals(open.id())) {
                    mine = open.id() + " " + link.node();
                }
                link.call(
                        link.store().claim("attack:" + site, mine, CLAIM_TTL),
                        inForce -> {
                            held.put(site, inForce);
                            claims.known(site, new AttackClaims.Claim(id(inForce), owner(inForce)));
                        },
                        () -> {});
            }
        }
        for (Map.Entry<String, String> r : claims.takeReports()) {
            link.call(link.store().putText("report:" + r.getKey(), r.getValue(), REPORT_TTL), ok -> {}, () -> {});
        }
    }

    /** The report of attack {@code id} its owner stored, if any: blocks for at most a second (any thread). */
    Optional<String> report(String id) {
        try {
            return link.store().text("report:" + id).toCompletableFuture().get(1, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String id(String value) {
        int space = value.indexOf(' ');
        return space < 0 ? value : value.substring(0, space);
    }

    private static String owner(String value) {
        int space = value.indexOf(' ');
        return space < 0 ? "" : value.substring(space + 1);
    }
}
