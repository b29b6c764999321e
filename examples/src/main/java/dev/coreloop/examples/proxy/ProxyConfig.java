package dev.coreloop.examples.proxy;

import java.net.InetSocketAddress;

/**
 * Where the proxy listens and where it relays to. Fluent accessors without get/set; {@link #conclude()} validates
 * every value (the message names the field and the value), resolves the two addresses once and freezes the
 * configuration.
 *
 * <p>The upstream host is resolved in {@link #conclude()}, on the configuring thread, never on a reactor: a name
 * lookup can block for seconds. A relay therefore always connects to the address the name had at start-up (as
 * HAProxy does without a {@code resolvers} section).
 *
 * <p><b>Threading:</b> configured on one thread before the server starts, read-only once concluded (shared by
 * every reactor).
 */
public final class ProxyConfig
{
    /** Default listen address: loopback, so a demo does not open a relay to the network by accident. */
    public static final String BIND_HOST_DEFAULT = "127.0.0.1";
    /** Default listen port: 0, the OS picks a free one ({@link dev.coreloop.core.Server#localAddress} tells). */
    public static final int PORT_DEFAULT = 0;
    /** Default bound on an upstream connect (HAProxy's usual {@code timeout connect 5s}). */
    public static final long CONNECT_TIMEOUT_MS_DEFAULT = 5_000;
    /** Upper bound of {@link #connectTimeoutMs()}. */
    public static final long CONNECT_TIMEOUT_MS_MAX = 600_000;

    private static final String HOST_PORT_EXAMPLES = "e.g. 127.0.0.1:6379, db.internal:5432, [::1]:8080";

    /**
     * A {@code HOST:PORT} pair as written by a user.
     *
     * @param host a host name or IP literal, without brackets.
     * @param port 1..65535.
     */
    public record HostPort(String host, int port)
    {
        @Override
        public String toString()
        {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private String bindHost = BIND_HOST_DEFAULT;
    private int port = PORT_DEFAULT;
    private String upstreamHost;
    private int upstreamPort;
    private long connectTimeoutMs = CONNECT_TIMEOUT_MS_DEFAULT;
    private boolean concluded;
    private InetSocketAddress listenAddress;
    private InetSocketAddress upstreamAddress;

    public String bindHost()
    {
        return bindHost;
    }

    /** @param bindHost the address to listen on (an IP literal or a host name). */
    public ProxyConfig bindHost(final String bindHost)
    {
        checkMutable("bindHost");
        this.bindHost = bindHost;
        return this;
    }

    public int port()
    {
        return port;
    }

    /** @param port the listen port, 0..65535; 0 lets the OS pick one. */
    public ProxyConfig port(final int port)
    {
        checkMutable("port");
        this.port = port;
        return this;
    }

    public String upstreamHost()
    {
        return upstreamHost;
    }

    /** @param upstreamHost the host every accepted connection is relayed to. */
    public ProxyConfig upstreamHost(final String upstreamHost)
    {
        checkMutable("upstreamHost");
        this.upstreamHost = upstreamHost;
        return this;
    }

    public int upstreamPort()
    {
        return upstreamPort;
    }

    /** @param upstreamPort the upstream's port, 1..65535. */
    public ProxyConfig upstreamPort(final int upstreamPort)
    {
        checkMutable("upstreamPort");
        this.upstreamPort = upstreamPort;
        return this;
    }

    /**
     * Sets {@link #upstreamHost} and {@link #upstreamPort} from {@code HOST:PORT} ({@code [v6]:PORT} for IPv6).
     *
     * @throws IllegalArgumentException as {@link #parseHostPort(String)}.
     */
    public ProxyConfig upstream(final String hostPort)
    {
        final HostPort parsed = parseHostPort(hostPort);
        return upstreamHost(parsed.host()).upstreamPort(parsed.port());
    }

    public long connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    /** @param connectTimeoutMs how long an upstream connect may take before the client is closed; 1..600000. */
    public ProxyConfig connectTimeoutMs(final long connectTimeoutMs)
    {
        checkMutable("connectTimeoutMs");
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
    }

    /**
     * Validates, resolves the listen and upstream addresses and freezes. Idempotent.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first invalid field and its value, or an upstream host that does
     *                                  not resolve.
     */
    public ProxyConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        check(bindHost != null && !bindHost.isBlank(), "bindHost", bindHost, "must not be empty");
        check(port >= 0 && port <= 65_535, "port", port, "must be in 0..65535 (0 lets the OS pick one)");
        check(upstreamHost != null && !upstreamHost.isBlank(), "upstreamHost", upstreamHost,
            "must be set: the host to relay to (upstream(\"HOST:PORT\"), " + HOST_PORT_EXAMPLES + ")");
        check(upstreamPort >= 1 && upstreamPort <= 65_535, "upstreamPort", upstreamPort, "must be in 1..65535");
        check(connectTimeoutMs >= 1 && connectTimeoutMs <= CONNECT_TIMEOUT_MS_MAX, "connectTimeoutMs",
            connectTimeoutMs, "must be in 1.." + CONNECT_TIMEOUT_MS_MAX);
        final InetSocketAddress listen = new InetSocketAddress(bindHost, port);
        check(!listen.isUnresolved(), "bindHost", bindHost, "does not resolve to an address");
        final InetSocketAddress upstream = new InetSocketAddress(upstreamHost, upstreamPort);
        check(!upstream.isUnresolved(), "upstreamHost", upstreamHost, "does not resolve to an address");
        listenAddress = listen;
        upstreamAddress = upstream;
        concluded = true;
        return this;
    }

    /** @return true once {@link #conclude()} succeeded. */
    public boolean isConcluded()
    {
        return concluded;
    }

    /** @return the resolved listen address. @throws IllegalStateException before {@link #conclude()}. */
    public InetSocketAddress listenAddress()
    {
        checkConcluded("listenAddress");
        return listenAddress;
    }

    /** @return the resolved upstream address. @throws IllegalStateException before {@link #conclude()}. */
    public InetSocketAddress upstreamAddress()
    {
        checkConcluded("upstreamAddress");
        return upstreamAddress;
    }

    /**
     * Parses {@code HOST:PORT}: a host name or IPv4 literal, or an IPv6 literal in brackets ({@code [::1]:8080}),
     * then a port 1..65535. Nothing is resolved.
     *
     * @throws IllegalArgumentException whose message quotes the text and says what is wrong with it, e.g.
     *                                  {@code 'db.internal' is not HOST:PORT: the port is missing (e.g. ...)}.
     */
    public static HostPort parseHostPort(final String text)
    {
        if (text == null || text.isBlank())
        {
            throw hostPortError(text, "it is empty");
        }
        final String hostPort = text.strip();
        if (hostPort.indexOf('/') >= 0)
        {
            throw hostPortError(text, "no scheme or path, only the host and the port");
        }
        final String host;
        final String portText;
        if (hostPort.startsWith("["))
        {
            final int close = hostPort.indexOf(']');
            if (close < 0)
            {
                throw hostPortError(text, "the '[' of an IPv6 address is not closed");
            }
            host = hostPort.substring(1, close);
            if (close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':')
            {
                throw hostPortError(text, "the port is missing");
            }
            portText = hostPort.substring(close + 2);
            if (host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.'))
            {
                throw hostPortError(text, "'" + host + "' is not an IPv6 address");
            }
        }
        else
        {
            final int colon = hostPort.lastIndexOf(':');
            if (colon < 0)
            {
                throw hostPortError(text, "the port is missing");
            }
            if (hostPort.indexOf(':') != colon)
            {
                throw hostPortError(text, "an IPv6 address needs brackets, as in [::1]:8080");
            }
            host = hostPort.substring(0, colon);
            portText = hostPort.substring(colon + 1);
            if (host.isEmpty())
            {
                throw hostPortError(text, "the host is missing");
            }
            if (!host.chars().allMatch(ProxyConfig::isHostNameChar))
            {
                throw hostPortError(text, "'" + host + "' is not a host name or IP address");
            }
        }
        final int parsedPort = parsePort(portText);
        if (parsedPort < 1 || parsedPort > 65_535)
        {
            throw hostPortError(text, "the port '" + portText + "' is not in 1-65535");
        }
        return new HostPort(host, parsedPort);
    }

    @Override
    public String toString()
    {
        return "ProxyConfig{bindHost=" + bindHost + ", port=" + port + ", upstreamHost=" + upstreamHost +
            ", upstreamPort=" + upstreamPort + ", connectTimeoutMs=" + connectTimeoutMs + "}";
    }

    /** @return true for the ASCII letters, digits, '.', '-' and '_' of host names and IPv4 literals. */
    private static boolean isHostNameChar(final int c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
            c == '_';
    }

    /** @return the number, or -1 for anything that is not a plain decimal int. */
    private static int parsePort(final String text)
    {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            return -1;
        }
        return Integer.parseInt(text);
    }

    private static IllegalArgumentException hostPortError(final String text, final String problem)
    {
        return new IllegalArgumentException("'" + text + "' is not HOST:PORT: " + problem + " (" +
            HOST_PORT_EXAMPLES + ")");
    }

    private static void check(final boolean ok, final String field, final Object value, final String rule)
    {
        if (!ok)
        {
            throw new IllegalArgumentException("ProxyConfig." + field + "=" + value + ": " + rule);
        }
    }

    private void checkMutable(final String field)
    {
        if (concluded)
        {
            throw new IllegalStateException("ProxyConfig is concluded (frozen): cannot set " + field);
        }
    }

    private void checkConcluded(final String method)
    {
        if (!concluded)
        {
            throw new IllegalStateException("ProxyConfig." + method + "(): call conclude() first");
        }
    }
}
