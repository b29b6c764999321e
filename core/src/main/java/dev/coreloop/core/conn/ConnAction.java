package dev.coreloop.core.conn;

/**
 * What an outcome that keeps the state ({@code stay}) does in place. Entry actions of a state are not listed here:
 * they run on every transition into the state ({@link ConnActions#onEnter}).
 */
public enum ConnAction
{
    /** Nothing beyond what the caller that raised the event does. */
    NONE,
    /** Shut the socket's output down (send FIN): the backlog of an OUTPUT_SHUTDOWN connection is now written. */
    SEND_FIN,
    /** Keep the event and raise it again right after the connection leaves CONNECTING for ACTIVE. */
    DEFER_UNTIL_CONNECTED
}
