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

    /** @param progress where each event is shown as it happens, with seconds since {@code runStart} */
    DetectionWatch(PrintStream progress, Instant runStart) {
        this.progress = progress;
        this.runStart = runStart;
    }

    private void show(Instant at, String what) {
        progress.printf(
                Locale.ROOT,
                "%n  [%5.1f s] detection: %s%n",
                (at.toEpochMilli() - runStart.toEpochMilli()) / 1000.0,
                what);
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
                    show(
                            s.at(),
                            "attack " + s.attack().id() + " started on "
                                    + s.attack().targetNames());
                }
                case DetectionEvent.AttackUpdated u -> {
                    note(u.attack());
                    show(
                            u.at(),
                            "attack " + u.attack().id() + " now on "
                                    + u.attack().targetNames());
                }
                case DetectionEvent.AttackEnded end -> {
                    note(end.attack());
                    show(end.at(), "attack " + end.attack().id() + " ended");
                }
                case DetectionEvent.UplinkChanged u ->
                    show(u.at(), "uplink " + (u.saturated() ? "saturated" : "ok") + " (" + u.reason() + ")");
                case DetectionEvent.StateChanged c -> {
                    stateChanges.add(c.siteName() + " " + c.from().key() + "->" + c.to().key());
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

    synchronized List<String> stateChanges() {
        return List.copyOf(stateChanges);
    }
}
