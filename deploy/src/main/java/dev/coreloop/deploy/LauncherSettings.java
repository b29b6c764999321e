package dev.coreloop.deploy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import dev.coreloop.core.ServerContext;
import dev.coreloop.examples.proxy.ProxyConfig;
import dev.coreloop.examples.resp.RespConfig;

/**
 * The resolved settings of {@code coreloop serve}: every {@link Setting} with its typed value and where it came
 * from. Precedence, highest first: command-line flag, environment variable ({@code CORELOOP_*}; an empty value
 * counts as unset), config file ({@code --config FILE}), embedded default. Every value is validated whatever its
 * source, and an error names that source and the value.
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
public final class LauncherSettings
{
    /** {@link #reactorCount()} when the count comes from the pinning plan. */
    public static final int REACTORS_AUTO = 0;
    /** Upper bound of an explicit reactor count. */
    public static final int REACTORS_MAX = 1024;
    /** A port value meaning the listener is not started ({@code 0} in user syntax). */
    public static final int PORT_DISABLED = -1;
    /** A port value meaning the OS picks a free port ({@code ephemeral} in user syntax). */
    public static final int PORT_EPHEMERAL = 0;
    /** Upper bound of the timeouts ({@code idle-timeout-ms}, {@code write-stall-timeout-ms}, {@code drain-timeout-ms}): a day. */
    public static final long TIMEOUT_MS_MAX = 86_400_000;
    /** Lower bound of {@code buffer-pool-bytes}: one connection's outbound cap. */
    public static final long BUFFER_POOL_BYTES_MIN = ServerContext.OUTBOUND_CAP_BYTES_DEFAULT;
    /** Upper bound of {@code buffer-pool-bytes}: 1 TiB per reactor. */
    public static final long BUFFER_POOL_BYTES_MAX = 1L << 40;
    /** Upper bound of {@code backlog}. */
    public static final int BACKLOG_MAX = 65_535;
    /** Upper bound of {@code shutdown-deadline-ms}. */
    public static final long SHUTDOWN_DEADLINE_MS_MAX = 600_000;

    /** {@code proxy-upstream} value meaning no proxy. */
    public static final String PROXY_UPSTREAM_NONE = "none";

    /** {@code jvm-threads-cpus} values in user syntax (besides a CPU list). */
    public static final String JVM_THREADS_CPUS_AUTO = "auto";
    public static final String JVM_THREADS_CPUS_OFF = "off";

    /** Pin modes in user syntax. */
    public static final String PIN_MODE_STRICT = "strict";
    public static final String PIN_MODE_BEST_EFFORT = "best-effort";
    public static final String PIN_MODE_OFF = "off";

    /** Where a value came from. */
    public enum Source
    {
        FLAG, ENV, FILE, DEFAULT
    }

    /**
     * One setting as given by the user.
     *
     * @param text   the value in user syntax.
     * @param source where it came from.
     * @param label  the name to use in messages: {@code --pin}, {@code CORELOOP_PIN}, {@code coreloop.conf:3: pin}
     *               or {@code pin (default)}.
     */
    public record Value(String text, Source source, String label)
    {
    }

    private static final java.util.regex.Pattern PLAIN_NUMBER = java.util.regex.Pattern.compile("0|[1-9][0-9]{0,17}");

    private final Map<Setting, Value> values;
    private final int reactorCount;
    private final String pinMode;
    private final InetAddress bindAddress;
    private final int echoPort;
    private final int httpPort;
    private final int respPort;
    private final int proxyPort;
    private final ProxyConfig.HostPort proxyUpstream;
    private final long shutdownDeadlineMs;
    private final int metricsPort;
    private final java.nio.file.Path runDir;
    private final long idleTimeoutMs;
    private final long writeStallTimeoutMs;
    private final long drainTimeoutMs;
    private final long bufferPoolBytes;
    private final int backlog;
    private final dev.coreloop.core.IdleMode idleMode;
    private final int respProtoMaxBulkLen;
    private final long respMaxmemory;
    private final dev.coreloop.affinity.CpuSet jvmThreadsCpus;

    private LauncherSettings(final Map<Setting, Value> values)
    {
        this.values = Collections.unmodifiableMap(values);
        this.reactorCount = parseReactors(values.get(Setting.REACTORS));
        final Value pin = values.get(Setting.PIN);
        if (pin.text().isBlank())
        {
            throw new ConfigException(pin.label() + ": the pinning spec is empty (e.g. 'reactors=auto')");
        }
        this.pinMode = parsePinMode(values.get(Setting.PIN_MODE));
        this.bindAddress = parseBind(values.get(Setting.BIND));
        this.echoPort = parsePort(values.get(Setting.ECHO_PORT));
        this.httpPort = parsePort(values.get(Setting.HTTP_PORT));
        this.respPort = parsePort(values.get(Setting.RESP_PORT));
        this.proxyPort = parsePort(values.get(Setting.PROXY_PORT));
        this.proxyUpstream = parseUpstream(values.get(Setting.PROXY_UPSTREAM));
        this.shutdownDeadlineMs = parseDeadline(values.get(Setting.SHUTDOWN_DEADLINE_MS));
        this.metricsPort = parsePort(values.get(Setting.METRICS_PORT));
        this.runDir = parseRunDir(values.get(Setting.RUN_DIR));
        this.idleTimeoutMs = parseLong(values.get(Setting.IDLE_TIMEOUT_MS), 1, TIMEOUT_MS_MAX, "milliseconds");
        this.writeStallTimeoutMs = parseLong(values.get(Setting.WRITE_STALL_TIMEOUT_MS), 1, TIMEOUT_MS_MAX,
            "milliseconds");
        this.drainTimeoutMs = parseLong(values.get(Setting.DRAIN_TIMEOUT_MS), 1, TIMEOUT_MS_MAX, "milliseconds");
        this.bufferPoolBytes = parseLong(values.get(Setting.BUFFER_POOL_BYTES), BUFFER_POOL_BYTES_MIN,
            BUFFER_POOL_BYTES_MAX, "bytes (at least the 4 MiB outbound cap of one connection)");
        this.backlog = (int)parseLong(values.get(Setting.BACKLOG), 1, BACKLOG_MAX, "connections");
        this.idleMode = parseIdleMode(values.get(Setting.IDLE_MODE));
        this.respProtoMaxBulkLen = (int)parseBytes(values.get(Setting.RESP_PROTO_MAX_BULK_LEN), 1,
            RespConfig.PROTO_MAX_BULK_LEN_MAX, false);
        this.respMaxmemory = parseBytes(values.get(Setting.RESP_MAXMEMORY), 0, Long.MAX_VALUE / 4, true);
        this.jvmThreadsCpus = parseJvmThreadsCpus(values.get(Setting.JVM_THREADS_CPUS));
        checkProxy();
        checkListeners();
    }

    /**
     * Resolves every setting from its sources.
     *
     * @param flags the flags given on the command line (absent when not given).
     * @param env   the process environment.
     * @param file  the parsed config file, or null when none was given.
     * @throws ConfigException naming the source and the value of the first invalid setting.
     */
    public static LauncherSettings resolve(final Map<Setting, String> flags, final Map<String, String> env,
        final ConfigFile file)
    {
        final Map<Setting, Value> values = new EnumMap<>(Setting.class);
        for (final Setting setting : Setting.values())
        {
            final String flag = flags.get(setting);
            final String envValue = env.get(setting.envName());
            final ConfigFile.Entry entry = null == file ? null : file.entries().get(setting);
            final Value value;
            if (flag != null)
            {
                // As given: ' 8081 ' or '+8081' is not a port (a config file's values are trimmed by its syntax).
                value = new Value(flag, Source.FLAG, setting.optionName());
            }
            else if (envValue != null && !envValue.isBlank())
            {
                value = new Value(envValue, Source.ENV, setting.envName());
            }
            else if (entry != null)
            {
                value = new Value(entry.value(), Source.FILE, entry.location() + ": " + setting.key());
            }
            else
            {
                value = new Value(setting.defaultValue(), Source.DEFAULT, setting.key() + " (default)");
            }
            values.put(setting, value);
        }
        return new LauncherSettings(values);
    }

    /** @return the value of {@code setting} as given, with its source. */
    public Value value(final Setting setting)
    {
        return values.get(setting);
    }

    /** @return the explicit reactor count, or {@link #REACTORS_AUTO}. */
    public int reactorCount()
    {
        return reactorCount;
    }

    /** @return the pinning spec exactly as given. */
    public String pinSpec()
    {
        return values.get(Setting.PIN).text();
    }

    /**
     * @return the spec to resolve: the given one, except that an explicit {@code reactors} with no pinning spec
     * given anywhere becomes {@code reactors=N}, so {@code --reactors 4} alone places 4 reactors by the auto rules.
     */
    public String effectivePinSpec()
    {
        if (values.get(Setting.PIN).source() == Source.DEFAULT && reactorCount != REACTORS_AUTO)
        {
            return "reactors=" + reactorCount;
        }
        return pinSpec();
    }

    /** @return {@link #PIN_MODE_STRICT}, {@link #PIN_MODE_BEST_EFFORT} or {@link #PIN_MODE_OFF}. */
    public String pinMode()
    {
        return pinMode;
    }

    /** @return the address the listeners bind. */
    public InetAddress bindAddress()
    {
        return bindAddress;
    }

    /** @return the echo port, {@link #PORT_DISABLED} or {@link #PORT_EPHEMERAL}. */
    public int echoPort()
    {
        return echoPort;
    }

    /** @return the HTTP port, {@link #PORT_DISABLED} or {@link #PORT_EPHEMERAL}. */
    public int httpPort()
    {
        return httpPort;
    }

    /** @return the RESP port, {@link #PORT_DISABLED} or {@link #PORT_EPHEMERAL}. */
    public int respPort()
    {
        return respPort;
    }

    /** @return the proxy (TCP relay) port, {@link #PORT_DISABLED} (the default) or {@link #PORT_EPHEMERAL}. */
    public int proxyPort()
    {
        return proxyPort;
    }

    /**
     * @return where the proxy relays to, as given (not resolved: the server resolves it when it starts), or null when
     * there is no proxy. Set exactly when {@link #proxyPort()} is not {@link #PORT_DISABLED}.
     */
    public ProxyConfig.HostPort proxyUpstream()
    {
        return proxyUpstream;
    }

    /** @return the graceful-shutdown deadline in milliseconds. */
    public long shutdownDeadlineMs()
    {
        return shutdownDeadlineMs;
    }

    /** @return the {@code /metrics} and {@code /health} port, {@link #PORT_DISABLED} (the default) or {@link #PORT_EPHEMERAL}. */
    public int metricsPort()
    {
        return metricsPort;
    }

    /**
     * @return the directory under which the server's {@code coreloop-<pid>} run directory (its counters file) goes, or
     * null for {@code auto}: {@code $RUNTIME_DIRECTORY} when set, else {@code /dev/shm}.
     */
    public java.nio.file.Path runDir()
    {
        return runDir;
    }

    /** @return how long a connection may stay without traffic (echo, HTTP), ms. */
    public long idleTimeoutMs()
    {
        return idleTimeoutMs;
    }

    /** @return how long pending output may make no progress before the connection is closed, ms. */
    public long writeStallTimeoutMs()
    {
        return writeStallTimeoutMs;
    }

    /** @return how long a closing connection lingers for the peer's FIN, ms. */
    public long drainTimeoutMs()
    {
        return drainTimeoutMs;
    }

    /** @return the off-heap buffer pool of each reactor, bytes. */
    public long bufferPoolBytes()
    {
        return bufferPoolBytes;
    }

    /** @return the listen backlog. */
    public int backlog()
    {
        return backlog;
    }

    /** @return what an idle reactor does. */
    public dev.coreloop.core.IdleMode idleMode()
    {
        return idleMode;
    }

    /** @return the largest RESP bulk string in bytes (redis's {@code proto-max-bulk-len}). */
    public int respProtoMaxBulkLen()
    {
        return respProtoMaxBulkLen;
    }

    /**
     * @return the RESP keyspace memory limit in bytes (redis's {@code maxmemory}): 0 for none,
     * {@link RespConfig#MAXMEMORY_AUTO} for half the JVM's maximum heap.
     */
    public long respMaxmemory()
    {
        return respMaxmemory;
    }

    /** @return the RESP configuration these settings describe (not yet concluded). */
    public RespConfig respConfig()
    {
        return new RespConfig().protoMaxBulkLen(respProtoMaxBulkLen).maxmemory(respMaxmemory);
    }

    /**
     * @return the CPUs given for the JVM's own threads: null for {@code auto}, the empty set for {@code off}, else
     * the list as given.
     */
    public dev.coreloop.affinity.CpuSet jvmThreadsCpus()
    {
        return jvmThreadsCpus;
    }

    /** @return one line per setting: {@code key = value   (source)}, for {@code serve --dry-run}. */
    public String describe()
    {
        final StringBuilder out = new StringBuilder();
        for (final Setting setting : Setting.values())
        {
            final Value value = values.get(setting);
            final String from = switch (value.source())
            {
                case FLAG -> "flag " + setting.optionName();
                case ENV -> "env " + setting.envName();
                case FILE -> value.label();
                case DEFAULT -> "default";
            };
            out.append(String.format(Locale.ROOT, "%-21s = %-24s (%s)%n", setting.key(), value.text(), from));
        }
        return out.toString();
    }

    private static int parseReactors(final Value value)
    {
        final String text = value.text();
        if ("auto".equalsIgnoreCase(text))
        {
            return REACTORS_AUTO;
        }
        final int count = parseInt(text);
        if (count < 1 || count > REACTORS_MAX)
        {
            throw new ConfigException(value.label() + ": '" + text + "' is not a reactor count (auto, or 1-" +
                REACTORS_MAX + ")");
        }
        return count;
    }

    private static String parsePinMode(final Value value)
    {
        final String mode = value.text().toLowerCase(Locale.ROOT).replace('_', '-');
        if (PIN_MODE_STRICT.equals(mode) || PIN_MODE_BEST_EFFORT.equals(mode) || PIN_MODE_OFF.equals(mode))
        {
            return mode;
        }
        throw new ConfigException(value.label() + ": '" + value.text() + "' is not a pin mode (strict, best-effort, off)");
    }

    /**
     * Accepts IP literals only (IPv4 dotted quad or IPv6), so that validating a bind address never waits on DNS.
     */
    private static InetAddress parseBind(final Value value)
    {
        final String text = value.text();
        final String problem = "' is not an IP address (e.g. 127.0.0.1 for loopback only, 0.0.0.0 for every" +
            " interface, ::1, ::)";
        if (!isIpv4Literal(text) && text.indexOf(':') < 0)
        {
            throw new ConfigException(value.label() + ": '" + text + problem);
        }
        try
        {
            // A literal is parsed, never looked up.
            return InetAddress.getByName(text);
        }
        catch (final UnknownHostException ex)
        {
            throw new ConfigException(value.label() + ": '" + text + problem, ex);
        }
    }

    private static boolean isIpv4Literal(final String text)
    {
        final String[] octets = text.split("\\.", -1);
        if (octets.length != 4)
        {
            return false;
        }
        for (final String octet : octets)
        {
            if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(c -> c >= '0' && c <= '9') ||
                Integer.parseInt(octet) > 255)
            {
                return false;
            }
        }
        return true;
    }

    private static int parsePort(final Value value)
    {
        final String text = value.text();
        if ("ephemeral".equalsIgnoreCase(text))
        {
            return PORT_EPHEMERAL;
        }
        final int port = parseInt(text);
        if (port == 0)
        {
            return PORT_DISABLED;
        }
        if (port < 1 || port > 65_535)
        {
            throw new ConfigException(value.label() + ": '" + text +
                "' is not a port (1-65535; 0 disables the listener; 'ephemeral' lets the OS pick one)");
        }
        return port;
    }

    /** Syntax only ({@code HOST:PORT}, {@code [v6]:PORT} or {@code none}): validating never waits on DNS. */
    private static ProxyConfig.HostPort parseUpstream(final Value value)
    {
        final String text = value.text();
        if (PROXY_UPSTREAM_NONE.equalsIgnoreCase(text))
        {
            return null;
        }
        try
        {
            return ProxyConfig.parseHostPort(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(value.label() + ": " + ex.getMessage(), ex);
        }
    }

    private static long parseDeadline(final Value value)
    {
        final String text = value.text();
        final long deadlineMs;
        try
        {
            if (!PLAIN_NUMBER.matcher(text).matches())
            {
                throw new NumberFormatException(text);
            }
            deadlineMs = Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigException(value.label() + ": '" + text + "' is not a number of milliseconds", ex);
        }
        if (deadlineMs < 0 || deadlineMs > SHUTDOWN_DEADLINE_MS_MAX)
        {
            throw new ConfigException(value.label() + ": '" + text + "' is out of range (0-" +
                SHUTDOWN_DEADLINE_MS_MAX + " ms)");
        }
        return deadlineMs;
    }

    /**
     * Reads a size the way redis reads its memory settings: a number of bytes, optionally followed by a unit, case
     * ignored: {@code k} (1000), {@code kb} (1024), {@code m}, {@code mb}, {@code g}, {@code gb}; and {@code auto}
     * when {@code autoAllowed} ({@link RespConfig#MAXMEMORY_AUTO}).
     */
    static long parseBytes(final Value value, final long min, final long max, final boolean autoAllowed)
    {
        final String text = value.text().strip().toLowerCase(Locale.ROOT);
        if (autoAllowed && "auto".equals(text))
        {
            return RespConfig.MAXMEMORY_AUTO;
        }
        int digits = 0;
        while (digits < text.length() && Character.isDigit(text.charAt(digits)))
        {
            digits++;
        }
        final long unit = switch (text.substring(digits))
        {
            case "", "b" -> 1L;
            case "k" -> 1000L;
            case "kb" -> 1024L;
            case "m" -> 1000L * 1000;
            case "mb" -> 1024L * 1024;
            case "g" -> 1000L * 1000 * 1000;
            case "gb" -> 1024L * 1024 * 1024;
            default -> -1L;
        };
        long bytes = -1;
        if (digits > 0 && digits <= 15 && unit > 0)
        {
            bytes = Long.parseLong(text.substring(0, digits)) * unit;
        }
        if (bytes < 0)
        {
            throw new ConfigException(value.label() + ": '" + value.text() + "' is not a size in bytes (a number, " +
                "optionally with k, kb, m, mb, g or gb, as in redis.conf" + (autoAllowed ? "; or auto" : "") + ")");
        }
        if (bytes < min || bytes > max)
        {
            throw new ConfigException(value.label() + ": '" + value.text() + "' is out of range (" + min + "-" + max +
                " bytes)");
        }
        return bytes;
    }

    private static long parseLong(final Value value, final long min, final long max, final String unit)
    {
        final String text = value.text();
        if (PLAIN_NUMBER.matcher(text).matches())
        {
            final long number = Long.parseLong(text);
            if (number >= min && number <= max)
            {
                return number;
            }
        }
        throw new ConfigException(value.label() + ": '" + text + "' is not a number of " + unit + " in " + min + "-" +
            max);
    }

    /** {@code auto} is null, {@code off} the empty set, else the CPU list (checked against the plan by PinSetup). */
    private static dev.coreloop.affinity.CpuSet parseJvmThreadsCpus(final Value value)
    {
        final String text = value.text();
        if (JVM_THREADS_CPUS_AUTO.equalsIgnoreCase(text))
        {
            return null;
        }
        if (JVM_THREADS_CPUS_OFF.equalsIgnoreCase(text))
        {
            return dev.coreloop.affinity.CpuSet.empty();
        }
        final dev.coreloop.affinity.CpuSet cpus;
        try
        {
            cpus = dev.coreloop.affinity.CpuSet.parse(text);
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigException(value.label() + ": '" + text + "' is not auto, off or a CPU list such as 0 or" +
                " 0-1,4: " + ex.getMessage(), ex);
        }
        if (cpus.isEmpty())
        {
            throw new ConfigException(value.label() + ": '" + text + "' names no CPU (use off to keep the JVM's " +
                "threads where they are)");
        }
        return cpus;
    }

    private static dev.coreloop.core.IdleMode parseIdleMode(final Value value)
    {
        for (final dev.coreloop.core.IdleMode mode : dev.coreloop.core.IdleMode.values())
        {
            if (mode.name().equalsIgnoreCase(value.text()))
            {
                return mode;
            }
        }
        throw new ConfigException(value.label() + ": '" + value.text() + "' is not an idle mode (select, backoff, spin)");
    }

    private static java.nio.file.Path parseRunDir(final Value value)
    {
        final String text = value.text();
        if ("auto".equalsIgnoreCase(text))
        {
            return null;
        }
        final java.nio.file.Path path;
        try
        {
            path = java.nio.file.Path.of(text);
        }
        catch (final java.nio.file.InvalidPathException ex)
        {
            throw new ConfigException(value.label() + ": '" + text + "' is not a path: " + ex.getReason(), ex);
        }
        if (!path.isAbsolute())
        {
            throw new ConfigException(value.label() + ": '" + text + "' must be an absolute directory (or auto)");
        }
        return path;
    }

    /**
     * @return the number, or -1 for anything that is not a plain decimal int: digits only, no sign, no leading zero,
     * no spaces (so range checks reject {@code +8081}, {@code 08081} and {@code ' 8081 '}).
     */
    private static int parseInt(final String text)
    {
        if (!PLAIN_NUMBER.matcher(text).matches())
        {
            return -1;
        }
        try
        {
            return Integer.parseInt(text);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /** The proxy needs both its port and its upstream; either one alone is a mistake, not a silent no-op. */
    private void checkProxy()
    {
        if (proxyPort != PORT_DISABLED && proxyUpstream == null)
        {
            final Value port = values.get(Setting.PROXY_PORT);
            throw new ConfigException(port.label() + ": '" + port.text() + "' starts the proxy, which needs " +
                Setting.PROXY_UPSTREAM.optionName() + " HOST:PORT too (or " + Setting.PROXY_UPSTREAM.envName() +
                ", or " + Setting.PROXY_UPSTREAM.key() + " in the config file)");
        }
        if (proxyPort == PORT_DISABLED && proxyUpstream != null)
        {
            final Value upstream = values.get(Setting.PROXY_UPSTREAM);
            throw new ConfigException(upstream.label() + ": '" + upstream.text() + "' is for the proxy, which needs " +
                Setting.PROXY_PORT.optionName() + " PORT too (or " + Setting.PROXY_PORT.envName() + ", or " +
                Setting.PROXY_PORT.key() + " in the config file); '" + PROXY_UPSTREAM_NONE + "' for no proxy");
        }
        if (proxyUpstream != null && proxyUpstream.port() == proxyPort && isThisHost(proxyUpstream.host()))
        {
            throw new ConfigException(values.get(Setting.PROXY_UPSTREAM).label() + ": '" +
                values.get(Setting.PROXY_UPSTREAM).text() + "' is the proxy's own listener (" +
                values.get(Setting.PROXY_PORT).label() + "): every connection would relay to itself");
        }
    }

    /** @return true if {@code host} is a literal or name that certainly means this listener's host. */
    private boolean isThisHost(final String host)
    {
        return "localhost".equalsIgnoreCase(host) || host.startsWith("127.") || "::1".equals(host) ||
            host.equals(bindAddress.getHostAddress()) || host.equals(values.get(Setting.BIND).text());
    }

    private void checkListeners()
    {
        if (echoPort == PORT_DISABLED && httpPort == PORT_DISABLED && respPort == PORT_DISABLED &&
            proxyPort == PORT_DISABLED)
        {
            throw new ConfigException(
                "nothing to serve: echo-port, http-port, resp-port and proxy-port are all 0 (disabled)");
        }
        checkDistinct(Setting.ECHO_PORT, echoPort, Setting.HTTP_PORT, httpPort);
        checkDistinct(Setting.ECHO_PORT, echoPort, Setting.RESP_PORT, respPort);
        checkDistinct(Setting.HTTP_PORT, httpPort, Setting.RESP_PORT, respPort);
        checkDistinct(Setting.ECHO_PORT, echoPort, Setting.PROXY_PORT, proxyPort);
        checkDistinct(Setting.HTTP_PORT, httpPort, Setting.PROXY_PORT, proxyPort);
        checkDistinct(Setting.RESP_PORT, respPort, Setting.PROXY_PORT, proxyPort);
        checkDistinct(Setting.ECHO_PORT, echoPort, Setting.METRICS_PORT, metricsPort);
        checkDistinct(Setting.HTTP_PORT, httpPort, Setting.METRICS_PORT, metricsPort);
        checkDistinct(Setting.RESP_PORT, respPort, Setting.METRICS_PORT, metricsPort);
        checkDistinct(Setting.PROXY_PORT, proxyPort, Setting.METRICS_PORT, metricsPort);
    }

    private void checkDistinct(final Setting first, final int firstPort, final Setting second, final int secondPort)
    {
        if (firstPort > 0 && firstPort == secondPort)
        {
            throw new ConfigException(values.get(first).label() + " and " + values.get(second).label() +
                ": both are port " + firstPort + "; each listener needs its own port");
        }
    }
}
