package dev.coreloop.bench.scaling;

import java.util.Locale;

/**
 * The request/response workloads of the scaling sweep. Every response is one operation.
 *
 * <ul>
 *   <li>{@code echo}: 64-byte messages, ping-pong on each connection.</li>
 *   <li>{@code http}: {@code GET /plaintext} keep-alive, one request in flight per connection.</li>
 *   <li>{@code http-p16}: the same request pipelined 16 deep (16 requests written at once, 16 responses awaited).</li>
 *   <li>{@code resp}: redis protocol, SET and GET alternating, keys drawn uniformly from {@value #RESP_KEYSPACE} keys,
 *   so at N shards a request's key is owned by another reactor with probability (N-1)/N.</li>
 *   <li>{@code resp-p16}: the same, 16 commands pipelined.</li>
 * </ul>
 *
 * <p><b>Threading:</b> immutable.
 */
public enum Protocol
{
    /** 64-byte echo ping-pong. */
    ECHO("echo", "echo", 1),
    /** HTTP/1.1 GET /plaintext, keep-alive. */
    HTTP("http", "http", 1),
    /** HTTP/1.1 GET /plaintext, pipelined 16 deep. */
    HTTP_P16("http-p16", "http", 16),
    /** RESP SET/GET over all shards. */
    RESP("resp", "resp", 1),
    /** RESP SET/GET over all shards, pipelined 16 deep. */
    RESP_P16("resp-p16", "resp", 16);

    /** Keys the RESP workload draws from ({@code key:000000} .. {@code key:099999}). */
    public static final int RESP_KEYSPACE = 100_000;
    /** Bytes of one echo message. */
    public static final int ECHO_MESSAGE_BYTES = 64;

    private final String id;
    private final String family;
    private final int depth;

    Protocol(final String id, final String family, final int depth)
    {
        this.id = id;
        this.family = family;
        this.depth = depth;
    }

    /** {@return the name used in parameters, file names and the CSV, e.g. {@code http-p16}} */
    public String id()
    {
        return id;
    }

    /** {@return the server-side protocol: {@code echo}, {@code http} or {@code resp}} */
    public String family()
    {
        return family;
    }

    /** {@return the requests written at once on a connection (1: ping-pong)} */
    public int depth()
    {
        return depth;
    }

    /**
     * @param id a protocol id such as {@code http-p16}.
     * @return the protocol.
     * @throws IllegalArgumentException naming the value and the choices.
     */
    public static Protocol of(final String id)
    {
        for (final Protocol p : values())
        {
            if (p.id.equals(id.trim().toLowerCase(Locale.ROOT)))
            {
                return p;
            }
        }
        throw new IllegalArgumentException("protocol must be one of echo, http, http-p16, resp, resp-p16 but was '" +
            id + "'");
    }
}
