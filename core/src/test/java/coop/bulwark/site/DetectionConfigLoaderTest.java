package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code detection:} and {@code reports:}: every key bound, defaults, and problems at their line and column. */
class DetectionConfigLoaderTest {
    /** A complete file of six lines; sections appended start at line 7. */
    private static final String BASE = """
            listen:
              http: 127.0.0.1:8080
            sites:
              - name: alpha
                hosts: [alpha.example.org]
                origins: [10.0.0.5:8080]
            """;

    @TempDir
    Path dir;

    private EdgeConfig load(String yaml) throws Exception {
        return ConfigFiles.load(dir, yaml);
    }

    private List<String> problems(String yaml) throws IOException {
        return ConfigFiles.problems(dir, yaml);
    }

    @Test
    void noSection_defaults() throws Exception {
        DetectionSettings d = load(BASE).detection();
        assertThat(d.enabled()).isTrue();
        assertThat(d.thresholds()).isEqualTo(DetectionConfig.defaults());
        assertThat(d.uplink()).isEmpty();
        assertThat(d.reportsDir()).isEqualTo(dir.resolve("reports"));
        assertThat(d.keepReports()).isEqualTo(DetectionSettings.DEFAULT_KEEP_REPORTS);
        assertThat(d.reportLanguages()).containsExactly("en");
    }

    @Test
    void everyKey_bound() throws Exception {
        DetectionSettings d = load(BASE + """
                detection:
                  enabled: false
                  warmup: 1m
                  short_window: 3s
                  long_window: 30m
                  suspect_ratio: 4
                  suspect_floor_rps: 12
                  attack_ratio: 8
                  attack_floor_rps: 40
                  calm_ratio: 1.5
                  calm_floor_rps: 3
                  noise_sigmas: 5
                  confirm_ticks: 3
                  calm_ticks: 20
                  min_suspect: 20s
                  min_under_attack: 2m
                  min_recovering: 5m
                  unvouched_excess_share: 0.6
                  failure_ratio: 3
                  failure_share_floor: 0.1
                  failure_min_per_second: 8
                  high_entropy_share: 0.7
                  concentrated_share: 0.4
                  max_targets: 5
                  uplink: {interface: eth0, capacity: 10Gbit/s, saturated_share: 0.8}
                reports: {dir: /var/lib/bulwark/reports, keep: 50, languages: [es, en]}
                """).detection();
        DetectionConfig t = d.thresholds();
        assertThat(d.enabled()).isFalse();
        assertThat(t.warmup()).isEqualTo(Duration.ofMinutes(1));
        assertThat(t.shortWindow()).isEqualTo(Duration.ofSeconds(3));
        assertThat(t.longWindow()).isEqualTo(Duration.ofMinutes(30));
        assertThat(List.of(t.suspectRatio(), t.suspectFloorRps(), t.attackRatio(), t.attackFloorRps()))
                .containsExactly(4.0, 12.0, 8.0, 40.0);
        assertThat(List.of(t.calmRatio(), t.calmFloorRps(), t.noiseSigmas())).containsExactly(1.5, 3.0, 5.0);
        assertThat(List.of(t.confirmTicks(), t.calmTicks(), t.maxTargets())).containsExactly(3, 20, 5);
        assertThat(List.of(t.minSuspect(), t.minUnderAttack(), t.minRecovering()))
                .containsExactly(Duration.ofSeconds(20), Duration.ofMinutes(2), Duration.ofMinutes(5));
        assertThat(List.of(
                        t.unvouchedExcessShare(),
                        t.failureRatio(),
                        t.failureShareFloor(),
                        t.failureMinPerSecond(),
                        t.highEntropyShare(),
                        t.concentratedShare()))
                .containsExactly(0.6, 3.0, 0.1, 8.0, 0.7, 0.4);
        assertThat(d.uplink()).contains(new DetectionSettings.Uplink("eth0", 10_000_000_000L, 0.8));
        assertThat(d.reportsDir()).isEqualTo(Path.of("/var/lib/bulwark/reports"));
        assertThat(d.keepReports()).isEqualTo(50);
        assertThat(d.reportLanguages()).containsExactly("es", "en");
    }

    @Test
    void reportLanguages_badItemsAndEmptyList_reportedAtTheirLine() throws Exception {
        assertThat(problems(BASE + """
                reports:
                  languages: [en, esp, english]
                """))
                .containsExactlyInAnyOrder(
                        "8:19: reports.languages[1]: esp (expected: one of en, es; did you mean es?)",
                        "8:24: reports.languages[2]: english (expected: one of en, es; did you mean en?)");
        assertThat(problems(BASE + "reports: {languages: []}\n"))
                .containsExactly("7:22: reports.languages: (a list) (expected: at least one of en, es)");
        assertThat(problems(BASE + "reports: {languages: es}\n"))
                .containsExactly(
                        "7:22: reports.languages: es (expected: a list, like [a, b] or one '- item' per line)");
    }

    @Test
    void badValues_reportedAtTheirLine() throws Exception {
        assertThat(problems(BASE + """
                detection:
                  warmup: soon
                  suspect_ratio: 0.5
                  high_entropy_share: 1.5
                  confirm_ticks: 0
                  uplink: {interface: eth0, capacity: fast}
                  treshold: 3
                reports: {keep: 0}
                """))
                .containsExactlyInAnyOrder(
                        "8:11: detection.warmup: soon (expected: a duration with a unit: ms, s, m or h, like 500ms, 10s, 2m, 1h)",
                        "9:18: detection.suspect_ratio: 0.5 (expected: a number >= 1)",
                        "10:23: detection.high_entropy_share: 1.5 (expected: a share from 0 to 1, like 0.5)",
                        "11:18: detection.confirm_ticks: 0 (expected: an integer 1-60)",
                        "12:39: detection.uplink.capacity: fast (expected: a bit rate above zero, like 1Gbit/s,"
                                + " 100Mbit/s or 10Gbps)",
                        "13:3: detection.treshold: unknown key (expected: one of attack_floor_rps, attack_ratio, calm_floor_rps,"
                                + " calm_ratio, calm_ticks, concentrated_share, confirm_ticks, enabled, failure_min_per_second,"
                                + " failure_ratio, failure_share_floor, high_entropy_share, long_window, max_targets,"
                                + " min_recovering, min_suspect, min_under_attack, noise_sigmas, short_window,"
                                + " suspect_floor_rps, suspect_ratio, unvouched_excess_share, uplink, warmup)",
                        "14:17: reports.keep: 0 (expected: an integer 1-1000)");
    }

    @Test
    void constraintsBetweenKeys_reportedAtTheSection() throws Exception {
        List<String> p = problems(BASE + """
                detection:
                  suspect_ratio: 6
                  attack_ratio: 5
                """);
        assertThat(p).singleElement().asString().startsWith("8:3: detection: attack_ratio: 5.0 (expected: >= 6.0)");
    }

    @Test
    void uplinkWithoutCapacity_missing() throws Exception {
        assertThat(problems(BASE + "detection: {uplink: {interface: eth0}}\n"))
                .singleElement()
                .asString()
                .contains("detection.uplink.capacity: missing");
    }

    @Test
    void uplinkHysteresis_boundWithDefaults_andRecoveredAboveSaturated_reported() throws Exception {
        DetectionSettings.Uplink u = load(BASE + """
                detection:
                  uplink: {interface: eth0, capacity: 1Gbit/s, saturated_after: 5s, recovered_share: 0.5, recovered_after: 1m}
                """).detection().uplink().orElseThrow();
        assertThat(u)
                .isEqualTo(new DetectionSettings.Uplink(
                        "eth0", 1_000_000_000L, 0.9, Duration.ofSeconds(5), 0.5, Duration.ofMinutes(1)));
        DetectionSettings.Uplink d = load(BASE + "detection: {uplink: {interface: eth0, capacity: 1Gbit/s}}\n")
                .detection()
                .uplink()
                .orElseThrow();
        assertThat(d.saturatedAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(d.recoveredShare()).isEqualTo(0.7);
        assertThat(d.recoveredAfter()).isEqualTo(Duration.ofSeconds(30));

        assertThat(problems(BASE + """
                detection:
                  uplink:
                    interface: eth0
                    capacity: 1Gbit/s
                    saturated_share: 0.8
                    recovered_share: 0.85
                    recovered_after: soon
                """))
                .containsExactly(
                        "12:22: detection.uplink.recovered_share: 0.85 (expected: a share above 0 and at most"
                                + " saturated_share (0.8))",
                        "13:22: detection.uplink.recovered_after: soon (expected: a duration with a unit: ms, s, m or"
                                + " h, like 500ms, 10s, 2m, 1h)");
    }

    @Test
    void webhooks_bound_withDefaultsAndSecretFile() throws Exception {
        Files.writeString(dir.resolve("hook.secret"), "0123456789abcdef0123\n");
        DetectionSettings d = load(BASE + """
                webhooks:
                  - url: https://chat.example.org/hooks/abc
                  - url: http://127.0.0.1:9000/bulwark
                    events: [attack_started, state_changed]
                    secret_file: hook.secret
                    timeout: 2s
                    max_retries: 0
                """).detection();
        assertThat(d.webhooks()).hasSize(2);
        var first = d.webhooks().get(0);
        assertThat(first.events()).isEqualTo(WebhookConfig.DEFAULT_EVENTS);
        assertThat(first.secret()).isNull();
        var second = d.webhooks().get(1);
        assertThat(second.events()).containsExactlyInAnyOrder(WebhookEvent.ATTACK_STARTED, WebhookEvent.STATE_CHANGED);
        assertThat(second.secret()).isEqualTo("0123456789abcdef0123");
        assertThat(second.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(second.maxRetries()).isZero();
    }

    @Test
    void webhooks_badItems_reportedAtTheirLine() throws Exception {
        assertThat(problems(BASE + """
                webhooks:
                  - url: ftp://example.org/x
                  - url: https://example.org/y
                    events: [attack_begun]
                    secret: short
                  - events: [attack_ended]
                """))
                .containsExactlyInAnyOrder(
                        "8:10: webhooks[0].url: ftp://example.org/x (expected: an http or https URL with a host, no"
                                + " user:password@)",
                        "10:14: webhooks[1].events[0]: attack_begun (expected: one of attack_started, attack_updated,"
                                + " attack_ended, state_changed, uplink_saturated, uplink_recovered, upstream_suggested,"
                                + " upstream_announced, upstream_withdrawn)",
                        "11:13: webhooks[1].secret: short (expected: a secret of at least 16 characters)",
                        "12:5: webhooks[2].url: missing (expected: the receiver's http or https URL)");
    }

    @Test
    void bitRates() {
        assertThat(DetectionBinder.bitsPerSecond("1Gbit/s")).isEqualTo(1_000_000_000L);
        assertThat(DetectionBinder.bitsPerSecond("100Mbit/s")).isEqualTo(100_000_000L);
        assertThat(DetectionBinder.bitsPerSecond("2.5Gbps")).isEqualTo(2_500_000_000L);
        assertThat(DetectionBinder.bitsPerSecond("500kbit/s")).isEqualTo(500_000L);
        assertThat(DetectionBinder.bitsPerSecond("1 Gbit/s")).isEqualTo(1_000_000_000L);
        assertThat(DetectionBinder.bitsPerSecond("1GB/s")).isEqualTo(-1);
        assertThat(DetectionBinder.bitsPerSecond("0bps")).isEqualTo(-1);
    }
}
