package coop.bulwark.detect;

/**
 * An exponentially weighted moving average over irregular intervals, with time constant {@code tau}: a sample's
 * weight decays by {@code e^(-dt/tau)}. Bias-corrected, so until about {@code tau} has passed the value is the
 * plain (decayed) average of the samples seen so far rather than being dragged towards an arbitrary start of 0.
 *
 * <p>Not thread-safe: confined to the detection tick.
 */
final class Ewma {
    private double tauSeconds;
    private double weightedSum;
    private double weight;

    Ewma(double tauSeconds) {
        if (!(tauSeconds > 0)) {
            throw new IllegalArgumentException("tauSeconds: " + tauSeconds + " (expected: > 0)");
        }
        this.tauSeconds = tauSeconds;
    }

    /** Changes the time constant from now on, keeping the average (a config reload retunes, never forgets). */
    void retune(double tauSeconds) {
        if (!(tauSeconds > 0)) {
            throw new IllegalArgumentException("tauSeconds: " + tauSeconds + " (expected: > 0)");
        }
        this.tauSeconds = tauSeconds;
    }

    /** Adds a sample that covers {@code seconds} (> 0) of time. */
    void update(double sample, double seconds) {
        double keep = Math.exp(-seconds / tauSeconds);
        weightedSum = weightedSum * keep + sample * (1 - keep);
        weight = weight * keep + (1 - keep);
    }

    /** The average, or {@code fallback} before any sample. */
    double value(double fallback) {
        return weight == 0 ? fallback : weightedSum / weight;
    }

    double value() {
        return value(0);
    }
}
