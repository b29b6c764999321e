package dev.coreloop.affinity;

/**
 * A pinning plan is impossible, or (in strict mode) a pin could not be applied or verified. The message names
 * the problem, e.g. "CPU 12 is not in the allowed set 0-7".
 */
public class PinningException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public PinningException(final String message)
    {
        super(message);
    }

    public PinningException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
