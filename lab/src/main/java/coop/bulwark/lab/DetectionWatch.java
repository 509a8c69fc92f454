package coop.bulwark.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the edge's detection said during a lab run: when it first declared an attack, the targets it named, how many
 * attacks it declared and how many state changes it made. Fed from the edge process's event log as it is written,
 * read after the run.
 */
final class DetectionWatch {
    private final PrintStream progress;
    private final Instant runStart;
    private Instant firstAttack;
    private final Set<String> named = new LinkedHashSet<>();
    private final Set<String> attackIds = new LinkedHashSet<>();
    /**
     * The id of each attack by the edge's start time of it: in a cluster, an edge that declared second goes on under
     * the first one's id (an {@code attack_updated} with the new id), so the run counts one attack, not two.
     */
    private final Map<String, String> idByStart = new LinkedHashMap<>();

    private final List<String> stateChanges = new ArrayList<>();
    private final List<Moment> moments = new ArrayList<>();

    /** An event at its time, before it becomes a marker relative to the series' start. */
    private record Moment(Instant at, String kind, String label) {}

    /** @param progress where each event is shown as it happens, with seconds since {@code runStart} */
    DetectionWatch(PrintStream progress, Instant runStart) {
        this.progress = progress;
        this.runStart = runStart;
    }

    private void show(Instant at, String what) {
        String line = String.format(
                Locale.ROOT, "  [%5.1f s] detection: %s", (at.toEpochMilli() - runStart.toEpochMilli()) / 1000.0, what);
        // One terminal line of at most 100 columns; the incident reports have every reason in full.
        progress.printf("%n%s%n", line.length() > 100 ? line.substring(0, 99) + "…" : line);
    }

    /** One line of the edge's event log (JSON), as the edge's process writes it. */
    synchronized void onEvent(JsonNode e) {
        Instant at = Instant.parse(e.path("at").asText());
        switch (e.path("event").asText()) {
            case "attack_started" -> {
                if (firstAttack == null) {
                    firstAttack = at;
                }
                List<String> targets = note(e.path("attack"));
                moments.add(new Moment(at, "detection", "attack declared on " + String.join(", ", targets)));
                show(at, "attack " + e.path("attack").path("id").asText() + " started on " + targets);
            }
            case "attack_updated" -> {
                List<String> targets = note(e.path("attack"));
                moments.add(new Moment(at, "detection", "attack now on " + String.join(", ", targets)));
                show(at, "attack " + e.path("attack").path("id").asText() + " now on " + targets);
            }
            case "attack_ended" -> {
                note(e.path("attack"));
                moments.add(new Moment(at, "detection", "attack over"));
                show(at, "attack " + e.path("attack").path("id").asText() + " ended");
            }
            case "uplink_saturated", "uplink_recovered" -> {
                String state = e.path("state").asText();
                moments.add(new Moment(at, "uplink", "uplink " + state));
                show(at, "uplink " + state + " (" + e.path("reason").asText() + ")");
            }
            case "state_changed" -> {
                String site = e.path("site").asText();
                String from = e.path("from").asText();
                String to = e.path("to").asText();
                stateChanges.add(site + " " + from + "->" + to);
                moments.add(new Moment(at, "state", site + ": " + from + " → " + to));
                show(
                        at,
                        site + " " + from + " -> " + to + " ("
                                + e.path("reason").asText() + ")");
            }
            default -> {} // mitigations and the rest: in the incident reports
        }
    }

    /** The attack's id and targets noted; its target names returned. */
    private List<String> note(JsonNode attack) {
        idByStart.put(attack.path("start").asText(), attack.path("id").asText());
        attackIds.clear();
        attackIds.addAll(idByStart.values());
        notifyAll();
        List<String> names = new ArrayList<>();
        attack.path("targets").forEach(t -> names.add(t.path("name").asText()));
        named.addAll(names);
        return names;
    }

    /** Seconds from {@code attackStart} to the first declared attack (0.1 s resolution), or null. */
    synchronized Double detectedAfterS(Instant attackStart) {
        if (firstAttack == null || attackStart == null) {
            return null;
        }
        double s = (firstAttack.toEpochMilli() - attackStart.toEpochMilli()) / 1000.0;
        return Math.round(s * 10) / 10.0;
    }

    synchronized List<String> namedTargets() {
        return List.copyOf(named);
    }

    synchronized List<String> attackIds() {
        return List.copyOf(attackIds);
    }

    /**
     * Waits until the edges of a cluster go on under one id per attack, at most {@code max}: an edge that declared an
     * attack in the run's last second takes the id another edge claimed first at its next detection tick (a second
     * later, when the claim's round trip to the store is done), which may come after the run's end. Returns at once
     * with one attack or none; a run with two distinct attacks waits the whole {@code max}.
     */
    synchronized void awaitOneIdPerAttack(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        for (long left = max.toNanos(); attackIds.size() > 1 && left > 0; left = deadline - System.nanoTime()) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    synchronized int attacksDeclared() {
        return attackIds.size();
    }

    /** The events as chart markers, in seconds from {@code seriesStart}. */
    synchronized List<LabReport.Marker> markers(Instant seriesStart) {
        List<LabReport.Marker> out = new ArrayList<>(moments.size());
        for (Moment e : moments) {
            double s = (e.at().toEpochMilli() - seriesStart.toEpochMilli()) / 1000.0;
            out.add(new LabReport.Marker(Math.round(s * 10) / 10.0, e.kind(), e.label()));
        }
        return out;
    }

    synchronized List<String> stateChanges() {
        return List.copyOf(stateChanges);
    }
}
