package dev.coreloop.deploy;

import java.util.Locale;

import dev.coreloop.core.ServerContext;

/**
 * The settings of {@code coreloop serve}. Each has one name used three ways: the flag {@code --http-port}, the
 * config-file key {@code http-port} and the environment variable {@code CORELOOP_HTTP_PORT}. Precedence is
 * flag, then environment, then config file, then the embedded default.
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
public enum Setting
{
    /** Reactor count: {@code auto} (as many as the pinning plan places) or a positive number. */
    REACTORS("reactors", Setting.REACTORS_DEFAULT),
    /** The pinning plan spec (docs/pinning.md), e.g. {@code reactors=auto smt=avoid}. */
    PIN("pin", Setting.PIN_DEFAULT),
    /** {@code strict}, {@code best-effort} or {@code off}. */
    PIN_MODE("pin-mode", Setting.PIN_MODE_DEFAULT),
    /** The address every listener binds. */
    BIND("bind", Setting.BIND_DEFAULT),
    /** Echo listener port; 0 disables it, {@code ephemeral} lets the OS pick one. */
    ECHO_PORT("echo-port", Setting.ECHO_PORT_DEFAULT),
    /** HTTP/1.1 listener port; 0 disables it, {@code ephemeral} lets the OS pick one. */
    HTTP_PORT("http-port", Setting.HTTP_PORT_DEFAULT),
    /** RESP listener port; 0 disables it, {@code ephemeral} lets the OS pick one. */
    RESP_PORT("resp-port", Setting.RESP_PORT_DEFAULT),
    /** TCP relay (proxy) listener port; 0 (the default) disables it; needs {@link #PROXY_UPSTREAM}. */
    PROXY_PORT("proxy-port", Setting.PROXY_PORT_DEFAULT),
    /** {@code HOST:PORT} the proxy relays every connection to; {@code none} (the default) when there is no proxy. */
    PROXY_UPSTREAM("proxy-upstream", Setting.PROXY_UPSTREAM_DEFAULT),
    /** How long a graceful shutdown may take before the remaining connections are aborted. */
    SHUTDOWN_DEADLINE_MS("shutdown-deadline-ms", Setting.SHUTDOWN_DEADLINE_MS_DEFAULT),
    /** Prometheus {@code /metrics} and {@code /health} listener port; 0 (the default) disables it. */
    METRICS_PORT("metrics-port", Setting.METRICS_PORT_DEFAULT),
    /** Where the counters file's {@code coreloop-<pid>} directory goes; {@code auto}: $RUNTIME_DIRECTORY or /dev/shm. */
    RUN_DIR("run-dir", Setting.RUN_DIR_DEFAULT),
    /** Close a connection after this long without traffic (echo, HTTP; RESP keeps its own hour). */
    IDLE_TIMEOUT_MS("idle-timeout-ms", Setting.IDLE_TIMEOUT_MS_DEFAULT),
    /** Close a connection whose pending output made no progress for this long. */
    WRITE_STALL_TIMEOUT_MS("write-stall-timeout-ms", Setting.WRITE_STALL_TIMEOUT_MS_DEFAULT),
    /** How long a closing connection lingers for the peer's FIN (lingering close). */
    DRAIN_TIMEOUT_MS("drain-timeout-ms", Setting.DRAIN_TIMEOUT_MS_DEFAULT),
    /** Off-heap buffer pool per reactor, bytes. */
    BUFFER_POOL_BYTES("buffer-pool-bytes", Setting.BUFFER_POOL_BYTES_DEFAULT),
    /** The listen backlog of each listener (the kernel caps it at net.core.somaxconn). */
    BACKLOG("backlog", Setting.BACKLOG_DEFAULT),
    /** What an idle reactor does: select (block), backoff or spin. */
    IDLE_MODE("idle-mode", Setting.IDLE_MODE_DEFAULT),
    /** RESP: the largest bulk string (value) a request may carry, redis's {@code proto-max-bulk-len}. */
    RESP_PROTO_MAX_BULK_LEN("resp-proto-max-bulk-len", Setting.RESP_PROTO_MAX_BULK_LEN_DEFAULT),
    /** RESP: the keyspace memory limit, redis's {@code maxmemory}; {@code auto} is half the JVM's maximum heap. */
    RESP_MAXMEMORY("resp-maxmemory", Setting.RESP_MAXMEMORY_DEFAULT),
    /**
     * Where the JVM's own threads (GC, JIT, VM thread, an unplaced acceptor) run: {@code auto} (the allowed CPUs the
     * reactors leave, when there are any), {@code off}, or a CPU list.
     */
    JVM_THREADS_CPUS("jvm-threads-cpus", Setting.JVM_THREADS_CPUS_DEFAULT);

    /** Embedded defaults, as strings in the same syntax a user writes (also shown by {@code --help}). */
    public static final String REACTORS_DEFAULT = "auto";
    public static final String PIN_DEFAULT = "reactors=auto";
    public static final String PIN_MODE_DEFAULT = "best-effort";
    public static final String BIND_DEFAULT = "127.0.0.1";
    public static final String ECHO_PORT_DEFAULT = "7007";
    public static final String HTTP_PORT_DEFAULT = "8080";
    public static final String RESP_PORT_DEFAULT = "6380";
    public static final String PROXY_PORT_DEFAULT = "0";
    public static final String PROXY_UPSTREAM_DEFAULT = "none";
    public static final String SHUTDOWN_DEADLINE_MS_DEFAULT = "5000";
    public static final String METRICS_PORT_DEFAULT = "0";
    public static final String RUN_DIR_DEFAULT = "auto";
    public static final String IDLE_TIMEOUT_MS_DEFAULT = "" + ServerContext.IDLE_TIMEOUT_MS_DEFAULT;
    public static final String WRITE_STALL_TIMEOUT_MS_DEFAULT = "" + ServerContext.WRITE_STALL_TIMEOUT_MS_DEFAULT;
    public static final String DRAIN_TIMEOUT_MS_DEFAULT = "" + ServerContext.DRAIN_TIMEOUT_MS_DEFAULT;
    public static final String BUFFER_POOL_BYTES_DEFAULT = "" + ServerContext.BUFFER_POOL_BYTES_PER_REACTOR_DEFAULT;
    public static final String BACKLOG_DEFAULT = "" + ServerContext.BACKLOG_DEFAULT;
    public static final String IDLE_MODE_DEFAULT = "select";
    public static final String RESP_PROTO_MAX_BULK_LEN_DEFAULT = "64mb";
    public static final String RESP_MAXMEMORY_DEFAULT = "auto";
    public static final String JVM_THREADS_CPUS_DEFAULT = "auto";

    /** Prefix of the environment variables. */
    public static final String ENV_PREFIX = "CORELOOP_";

    private static final Setting[] VALUES = values();

    private final String key;
    private final String defaultValue;

    Setting(final String key, final String defaultValue)
    {
        this.key = key;
        this.defaultValue = defaultValue;
    }

    /** @return the config-file key, e.g. {@code http-port}. */
    public String key()
    {
        return key;
    }

    /** @return the command-line flag, e.g. {@code --http-port}. */
    public String optionName()
    {
        return "--" + key;
    }

    /** @return the environment variable, e.g. {@code CORELOOP_HTTP_PORT}. */
    public String envName()
    {
        return ENV_PREFIX + key.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** @return the embedded default, in user syntax. */
    public String defaultValue()
    {
        return defaultValue;
    }

    /** @return the setting whose config-file key is {@code key}, or null. */
    public static Setting forKey(final String key)
    {
        for (final Setting setting : VALUES)
        {
            if (setting.key.equals(key))
            {
                return setting;
            }
        }
        return null;
    }
}
