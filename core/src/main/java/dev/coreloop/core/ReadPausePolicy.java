package dev.coreloop.core;

/**
 * Whose reads pause when a connection's outbound backlog is high. Flow control, not lifecycle: it never changes a
 * connection's state.
 */
public enum ReadPausePolicy
{
    /**
     * The default, right for request/response protocols: while this connection is unwritable (backlog above the high
     * watermark, or a write refused), it stops reading its own input, so a client that sends requests without reading
     * replies cannot make the server buffer without bound. Reading resumes, and held input is presented again, once
     * it is writable.
     */
    OWN_BACKLOG,
    /**
     * The kit never pauses this connection's reads for its own backlog; the handler pauses whichever connection it
     * needs with {@link Connection#pauseReading()}. For relays: a proxy whose outbound side B is unwritable pauses the
     * inbound side A, and B keeps reading so its peer can make progress. The write-stall timer still guards a backlog
     * that does not move, and the idle timer a connection whose reads stay paused.
     */
    MANUAL
}
