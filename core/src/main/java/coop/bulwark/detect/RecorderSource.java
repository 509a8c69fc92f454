package coop.bulwark.detect;

/**
 * Where the request path finds the {@link TrafficRecorder} of its event loop. Implemented by the edge's detection
 * loop, which swaps the recorders when detection is turned on or the sites change; callers ask once per request.
 */
public interface RecorderSource {
    /** Records nothing: detection is off. */
    RecorderSource NONE = (loop, site) -> null;

    /**
     * The recorder of event loop {@code loop} (0 to loops - 1) when detection is on and covers site index
     * {@code site}; else null. Called on that event loop.
     */
    TrafficRecorder recorder(int loop, int site);
}
