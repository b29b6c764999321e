package dev.coreloop.deploy;

/**
 * A setting is malformed or out of range. The message names where the value came from (the flag, the environment
 * variable or the config file and line), the value and what would be accepted, e.g.
 * {@code --http-port: '70000' is not a port (1-65535; 0 disables the listener; 'ephemeral' lets the OS pick)}.
 * The launcher prints it on one line and exits with status 2.
 */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public ConfigException(final String message)
    {
        super(message);
    }

    public ConfigException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
