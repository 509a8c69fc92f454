package coop.bulwark.protect;

/** Why a request got no origin slot. */
public enum BulkheadRejection {
    /** The site's waiting queue was full: the request never queued. */
    QUEUE_FULL,
    /** The request waited its whole queue timeout. */
    TIMEOUT
}
