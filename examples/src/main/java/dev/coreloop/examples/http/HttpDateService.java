package dev.coreloop.examples.http;

import dev.coreloop.core.ReactorService;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The per-reactor state of the HTTP example: the current {@code Date} value, preformatted, and the
 * prebuilt {@link HttpResponses} that carry it. Handlers call {@link #refresh(long)} with
 * {@code ReactorContext#epochMs()} once per {@code onData}; the date is reformatted (and copied into the
 * responses) only when the second changes, so at most once a second and never on an idle reactor.
 *
 * <p><b>Threading:</b> one instance per reactor, created by the factory given to
 * {@code ServerContext#reactorService}; every method runs on that reactor's thread.
 */
public final class HttpDateService implements ReactorService
{
    private final UnsafeBuffer date = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private final HttpResponses responses;
    private final HttpConfig config;
    private long currentSecond = Long.MIN_VALUE;
    private long refreshCount;

    /**
     * @param config the server's configuration (its server name goes into every response).
     */
    public HttpDateService(final HttpConfig config)
    {
        this.config = config.copy().validate();
        this.responses = new HttpResponses(this.config.serverName());
    }

    /**
     * Reformats the date if {@code epochMs} is in a later (or earlier: the wall clock may step back) second.
     *
     * @return true if the date changed.
     */
    public boolean refresh(final long epochMs)
    {
        final long second = Math.floorDiv(epochMs, 1000L);
        if (second == currentSecond)
        {
            return false;
        }
        currentSecond = second;
        HttpDate.format(epochMs, date, 0);
        responses.date(date, 0);
        refreshCount++;
        return true;
    }

    /** @return the buffer holding the current date at offset 0, {@link HttpDate#LENGTH} bytes. */
    public DirectBuffer date()
    {
        return date;
    }

    /** @return this reactor's prebuilt responses. */
    public HttpResponses responses()
    {
        return responses;
    }

    /** @return this service's private copy of the configuration. */
    public HttpConfig config()
    {
        return config;
    }

    /** @return how many times the date was reformatted. */
    public long refreshCount()
    {
        return refreshCount;
    }
}
