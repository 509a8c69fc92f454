package coop.bulwark.lab.uplink;

import coop.bulwark.lab.Scenario;
import java.time.Duration;
import java.util.List;

/**
 * The uplink scenario's numbers: a small shared hosting box behind a 20 Mbit/s uplink (scaled down as the seed
 * scenario is, so one 2-core machine can fill it several times over), bystander sites on one shared address, the two
 * targets on their own. People browse; then an HTTP flood hits the targets from one /24, and a few seconds later a UDP
 * flood four times the uplink's capacity joins it toward the targets' address, a quarter of it from the HTTP flood's
 * /24 and the rest from 64 other /30s that never send a request (as the volumetric part of a real attack comes from
 * reflectors the edge never hears from at HTTP). Only documentation ranges are used: the lab runs in namespaces it
 * makes and routes nothing else.
 *
 * @param warmupS people only (the edge's detection learns its baselines)
 * @param httpLeadS the HTTP flood alone, before the volumetric flood joins it
 * @param floodS both floods together
 * @param afterS people only again
 */
record UplinkPlan(
        int sites,
        List<Integer> targetRanks,
        int bystanderPeople,
        int targetPeople,
        Duration thinkTime,
        Duration timeout,
        int httpBots,
        int httpRatePerSecond,
        long uplinkBitsPerSecond,
        long floodBitsPerSecond,
        int warmupS,
        int httpLeadS,
        int floodS,
        int afterS) {

    /** The lab's addresses (documentation ranges only, inside its own namespaces). */
    static final String TARGET_ADDRESS = "203.0.113.10";

    static final String BYSTANDER_ADDRESS = "203.0.113.20";
    static final String PEOPLE = "192.0.2.0/25";
    static final String REFLECTORS = "192.0.2.128/26";
    static final String BOTNET = "198.51.100.0/24";
    static final String INET_SIDE = "192.0.2.250";
    static final String ROUTER_INET_SIDE = "192.0.2.249";
    static final String ROUTER_EDGE_SIDE = "192.0.2.253";
    static final String EDGE_SIDE = "192.0.2.254";

    /** The plan of one size: {@code full}, {@code quick} ({@code --quick}) or {@code brief} (the lab's own test). */
    static UplinkPlan of(String size) {
        return switch (size) {
            case "full" -> sized(20, 5, 90, 20);
            case "quick" -> sized(12, 4, 30, 6);
            case "brief" -> sized(10, 3, 30, 2);
            default -> throw new IllegalArgumentException("uplink plan: " + size + " (expected: full, quick, brief)");
        };
    }

    private static UplinkPlan sized(int warmupS, int httpLeadS, int floodS, int afterS) {
        return new UplinkPlan(
                40,
                List.of(3, 7),
                40,
                6,
                Duration.ofMillis(800),
                Duration.ofSeconds(3),
                100,
                300,
                20_000_000,
                80_000_000,
                warmupS,
                httpLeadS,
                floodS,
                afterS);
    }

    int durationS() {
        return warmupS + httpLeadS + floodS + afterS;
    }

    /** Second of the run at which the HTTP flood starts. */
    int httpFrom() {
        return warmupS;
    }

    /** Second at which the volumetric flood joins. */
    int floodFrom() {
        return warmupS + httpLeadS;
    }

    /** Second at which both floods stop. */
    int floodTo() {
        return warmupS + httpLeadS + floodS;
    }

    List<String> targetNames() {
        return targetRanks.stream().map(Scenario::siteName).toList();
    }

    boolean isTarget(int rank) {
        return targetRanks.contains(rank);
    }
}
