package coop.bulwark.lab.uplink;

import coop.bulwark.lab.OriginModel;
import coop.bulwark.lab.Scenario;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The origin model of the uplink lab, its own process in the {@code edge} namespace: the seed scenario's shared PHP
 * box (32 workers), serving every site, on 127.0.0.1:{@code PORT} until stopped.
 */
public final class UplinkOrigin {
    static final int PORT = 18090;

    static final Scenario.OriginModelConfig MODEL = new Scenario.OriginModelConfig(
            32, 512, Duration.ofMillis(50), Duration.ofMillis(2), Duration.ofMillis(20), Duration.ZERO);

    private UplinkOrigin() {}

    /** {@code UplinkOrigin full|quick|brief}. */
    public static void main(String[] args) throws Exception {
        UplinkPlan plan = UplinkPlan.of(args[0]);
        Set<String> targets =
                plan.targetRanks().stream().map(Scenario::siteHost).collect(Collectors.toUnmodifiableSet());
        try (OriginModel origin = OriginModel.start(MODEL, targets, PORT)) {
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "uplink-origin-stop"));
            System.out.println("origin " + origin.address());
            System.out.flush();
            stop.await();
        }
    }
}
