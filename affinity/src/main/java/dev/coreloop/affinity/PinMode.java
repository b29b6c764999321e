package dev.coreloop.affinity;

import java.util.Locale;

/** What a pinner does when a pin cannot be applied or verified. */
public enum PinMode
{
    /** Refuse to start: any failed pin, mismatch or CPU claimed by another server throws {@link PinningException}. */
    STRICT("strict"),
    /** Pin what can be pinned, log a warning for the rest and carry on. */
    BEST_EFFORT("best-effort"),
    /** Pin nothing. */
    OFF("off");

    private final String specName;

    PinMode(final String specName)
    {
        this.specName = specName;
    }

    /** {@return the name used in a pinning spec ({@code mode=best-effort})} */
    public String specName()
    {
        return specName;
    }

    /**
     * {@return the mode}
     *
     * @param text {@code strict}, {@code best-effort} (or {@code best_effort}) or {@code off}, any case.
     * @throws PinningException naming the value when it is none of those.
     */
    public static PinMode parse(final String text)
    {
        final String normalised = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (final PinMode mode : values())
        {
            if (mode.specName.equals(normalised))
            {
                return mode;
            }
        }
        throw new PinningException("mode=" + text + ": expected strict, best-effort or off");
    }
}
