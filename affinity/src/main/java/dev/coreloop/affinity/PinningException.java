package dev.coreloop.affinity;

/**
 * A pinning plan is impossible, or (in strict mode) a pin could not be applied or verified. The message names
 * the problem, e.g. "CPU 12 is not in the allowed set 0-7".
 */
public class PinningException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the problem, naming the item or CPU.
     */
    public PinningException(final String message)
    {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message the problem, naming the item or CPU.
     * @param cause   the failure underneath.
     */
    public PinningException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
