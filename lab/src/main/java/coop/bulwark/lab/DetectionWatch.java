package coop.bulwark.lab;

import coop.bulwark.detect.Attack;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.GlobalSignals;
import coop.bulwark.detect.TrafficSecond;
import coop.bulwark.incident.DetectionLoop;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the edge's detection said during a lab run: when it first declared an attack, the targets it named, how many
 * attacks it declared and how many state changes it made. Fed on the edge's tick thread, read after the run.
 */
final class DetectionWatch implements DetectionLoop.Listener {
    private final PrintStream progress;
    private final Instant runStart;
    private Instant firstAttack;
    private final Set<String> named = new LinkedHashSet<>();
    private final Set<String> attackIds = new LinkedHashSet<>();
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

    @Override
    public synchronized void onTick(
            Instant now, TrafficSecond traffic, GlobalSignals global, List<DetectionEvent> events) {
        for (DetectionEvent e : events) {
            switch (e) {
                case DetectionEvent.AttackStarted s -> {
                    if (firstAttack == null) {
                        firstAttack = s.at();
                    }
                    note(s.attack());
                    moments.add(new Moment(
                            s.at(),
                            "detection",
                            "attack declared on " + String.join(", ", s.attack().targetNames())));
                    show(
                            s.at(),
                            "attack " + s.attack().id() + " started on "
                                    + s.attack().targetNames());
                }
                case DetectionEvent.AttackUpdated u -> {
                    note(u.attack());
                    moments.add(new Moment(
                            u.at(),
                            "detection",
                            "attack now on " + String.join(", ", u.attack().targetNames())));
                    show(
                            u.at(),
                            "attack " + u.attack().id() + " now on "
                                    + u.attack().targetNames());
                }
                case DetectionEvent.AttackEnded end -> {
                    note(end.attack());
                    moments.add(new Moment(end.at(), "detection", "attack over"));
                    show(end.at(), "attack " + end.attack().id() + " ended");
                }
                case DetectionEvent.UplinkChanged u -> {
                    moments.add(new Moment(u.at(), "uplink", "uplink " + (u.saturated() ? "saturated" : "ok")));
                    show(u.at(), "uplink " + (u.saturated() ? "saturated" : "ok") + " (" + u.reason() + ")");
                }
                case DetectionEvent.StateChanged c -> {
                    stateChanges.add(c.siteName() + " " + c.from().key() + "->" + c.to().key());
                    moments.add(new Moment(
                            c.at(), "state", c.siteName() + ": " + c.from().key() + " → " + c.to().key()));
                    show(c.at(), c.siteName() + " " + c.from().key() + " -> " + c.to().key() + " (" + c.reason() + ")");
                }
            }
        }
    }

    private void note(Attack a) {
        attackIds.add(a.id());
        named.addAll(a.targetNames());
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
