package coop.bulwark.proxy;

/** User events fired through client pipelines by the edge itself. */
public enum EdgeEvents {
    /** Graceful shutdown began: close when idle; finish the current request with {@code Connection: close}. */
    DRAIN,

    /** The connection is being closed after a final response: drop further input, start nothing new. */
    CLOSING
}
