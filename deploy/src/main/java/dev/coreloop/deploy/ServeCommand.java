package dev.coreloop.deploy;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code coreloop serve}: echo, HTTP/1.1, RESP and optionally a TCP relay (proxy) on one set of reactors until
 * SIGINT or SIGTERM.
 *
 * <p>Options are taken as strings and validated by {@link LauncherSettings}, so a value gets the same checks and
 * the same kind of message whether it came from a flag, the environment or the config file.
 *
 * <p><b>Threading:</b> picocli fills the fields and calls {@link #call()} on the main thread.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    header = "Run echo, HTTP/1.1, RESP (and a TCP proxy) on one set of pinned reactors until SIGINT/SIGTERM.",
    synopsisHeading = "%nUsage: ",
    description = {
        "%nStarts the echo, HTTP/1.1 and RESP servers (and, with --proxy-port and --proxy-upstream, a TCP relay) "
            + "on ONE set of reactors (one acceptor, N pinned reactor threads shared by the listeners), prints the "
            + "pinning report and the listening addresses, and runs until SIGINT (Ctrl-C) or SIGTERM; then it stops "
            + "accepting, lets open connections finish until the shutdown deadline, and exits 0.",
        ""
    },
    footerHeading = "%n",
    footer = {
        "Every option is also a config-file key (no dashes) and an environment variable:",
        "  --http-port 9090  =  'http-port = 9090' in FILE  =  CORELOOP_HTTP_PORT=9090",
        "Precedence: flag > environment (CORELOOP_*, empty = unset) > config file > built-in default.",
        "",
        "Ports: 1-65535; 0 disables that listener; 'ephemeral' lets the OS pick a free port (printed at start).",
        "",
        "Exit status: 0 after a graceful stop; 1 if a server cannot start (port in use, strict pinning failed);"
            + " 2 for bad input (unknown option, bad value, bad pinning spec).",
        "",
        "Examples:",
        "  coreloop serve",
        "  coreloop serve --pin 'acceptor=0 reactors=2-5' --pin-mode strict",
        "  coreloop serve --bind 0.0.0.0 --echo-port 0 --http-port 80",
        "  coreloop serve --proxy-port 6000 --proxy-upstream 127.0.0.1:6380",
        "  CORELOOP_PIN='reactors=auto smt=avoid' coreloop serve --config coreloop.conf"
    })
public final class ServeCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--reactors", paramLabel = "N|auto", order = 1,
        description = "Reactor threads: 'auto' = as many as the pinning plan places, or a number. Default: "
            + Setting.REACTORS_DEFAULT + ".")
    private String reactors;

    @Option(names = "--pin", paramLabel = "SPEC", order = 2,
        description = "Pinning plan (docs/pinning.md), e.g. 'reactors=auto smt=avoid', 'acceptor=0 reactors=2-9'."
            + " Default: '" + Setting.PIN_DEFAULT + "'.")
    private String pin;

    @Option(names = "--pin-mode", paramLabel = "MODE", order = 3,
        description = "strict (refuse to start on any pin failure), best-effort (warn, carry on) or off."
            + " Default: " + Setting.PIN_MODE_DEFAULT + ".")
    private String pinMode;

    @Option(names = "--bind", paramLabel = "ADDRESS", order = 4,
        description = "Address the listeners bind. Default: " + Setting.BIND_DEFAULT
            + " (loopback only: the RESP store has no authentication); 0.0.0.0 serves every interface.")
    private String bind;

    @Option(names = "--echo-port", paramLabel = "PORT", order = 5,
        description = "Echo listener port; 0 disables it. Default: " + Setting.ECHO_PORT_DEFAULT + ".")
    private String echoPort;

    @Option(names = "--http-port", paramLabel = "PORT", order = 6,
        description = "HTTP/1.1 listener port (GET /plaintext, GET /json); 0 disables it. Default: "
            + Setting.HTTP_PORT_DEFAULT + ".")
    private String httpPort;

    @Option(names = "--resp-port", paramLabel = "PORT", order = 7,
        description = "RESP (redis protocol) listener port; 0 disables it. Default: " + Setting.RESP_PORT_DEFAULT + ".")
    private String respPort;

    @Option(names = "--proxy-port", paramLabel = "PORT", order = 8,
        description = "TCP relay (proxy) listener port: every connection is relayed both ways to --proxy-upstream,"
            + " with backpressure and half-close. Needs --proxy-upstream. Default: " + Setting.PROXY_PORT_DEFAULT
            + " (no proxy).")
    private String proxyPort;

    @Option(names = "--proxy-upstream", paramLabel = "HOST:PORT", order = 9,
        description = "Where the proxy relays to: HOST:PORT, [IPv6]:PORT, or 'none'. Resolved once at start."
            + " Needs --proxy-port. Default: " + Setting.PROXY_UPSTREAM_DEFAULT + ".")
    private String proxyUpstream;

    @Option(names = "--shutdown-deadline-ms", paramLabel = "MS", order = 10,
        description = "Graceful shutdown: connections still open after this are aborted. Default: "
            + Setting.SHUTDOWN_DEADLINE_MS_DEFAULT + ".")
    private String shutdownDeadlineMs;

    @Option(names = "--metrics-port", paramLabel = "PORT", order = 11,
        description = "Prometheus text format on GET /metrics and GET /health (200 or 503 with the reason), served by"
            + " the reactors themselves; 0 disables it. Default: " + Setting.METRICS_PORT_DEFAULT + " (off).")
    private String metricsPort;

    @Option(names = "--run-dir", paramLabel = "DIR|auto", order = 12,
        description = "Where the counters file goes (DIR/coreloop-<pid>/counters.dat, read by 'coreloop stat');"
            + " auto: $RUNTIME_DIRECTORY, else /dev/shm. Default: " + Setting.RUN_DIR_DEFAULT + ".")
    private String runDir;

    @Option(names = "--idle-timeout-ms", paramLabel = "MS", order = 13,
        description = "Close an echo or HTTP connection after this long without traffic (RESP keeps its hour)."
            + " Default: " + Setting.IDLE_TIMEOUT_MS_DEFAULT + ".")
    private String idleTimeoutMs;

    @Option(names = "--write-stall-timeout-ms", paramLabel = "MS", order = 14,
        description = "Close a connection whose pending output made no progress for this long. Default: "
            + Setting.WRITE_STALL_TIMEOUT_MS_DEFAULT + ".")
    private String writeStallTimeoutMs;

    @Option(names = "--drain-timeout-ms", paramLabel = "MS", order = 15,
        description = "How long a closing connection lingers for the peer's FIN (never past the shutdown deadline)."
            + " Default: " + Setting.DRAIN_TIMEOUT_MS_DEFAULT + ".")
    private String drainTimeoutMs;

    @Option(names = "--buffer-pool-bytes", paramLabel = "BYTES", order = 16,
        description = "Off-heap buffer pool of each reactor (direct memory: reactors x this). Default: "
            + Setting.BUFFER_POOL_BYTES_DEFAULT + ".")
    private String bufferPoolBytes;

    @Option(names = "--backlog", paramLabel = "N", order = 17,
        description = "Listen backlog of each listener (capped by net.core.somaxconn). Default: "
            + Setting.BACKLOG_DEFAULT + ".")
    private String backlog;

    @Option(names = "--idle-mode", paramLabel = "MODE", order = 18,
        description = "What an idle reactor does: select (block until I/O or a timer), backoff, spin (a full CPU"
            + " each). Default: " + Setting.IDLE_MODE_DEFAULT + ".")
    private String idleMode;

    @Option(names = "--resp-proto-max-bulk-len", paramLabel = "BYTES", order = 19,
        description = "RESP: the largest value (bulk string) a request may carry, as redis's proto-max-bulk-len;"
            + " values above 512 KiB stream in and out without growing connection buffers. At most 512mb. Default: "
            + Setting.RESP_PROTO_MAX_BULK_LEN_DEFAULT + ".")
    private String respProtoMaxBulkLen;

    @Option(names = "--resp-maxmemory", paramLabel = "BYTES|auto", order = 20,
        description = "RESP: memory limit of the keyspace, as redis's maxmemory (noeviction: writes get -OOM when"
            + " it is reached); 0 for none, auto for half the JVM's maximum heap (-Xmx). Default: "
            + Setting.RESP_MAXMEMORY_DEFAULT + ".")
    private String respMaxmemory;

    @Option(names = "--jvm-threads-cpus", paramLabel = "auto|off|CPUS", order = 21,
        description = "Move the JVM's own threads (GC, JIT compilers, VM thread, an unplaced acceptor) off the"
            + " reactors' CPUs after start, and newly created ones every second: auto = onto the allowed CPUs the"
            + " reactors leave (off when there are none), off, or a CPU list. Default: "
            + Setting.JVM_THREADS_CPUS_DEFAULT + ".")
    private String jvmThreadsCpus;

    @Option(names = "--config", paramLabel = "FILE", order = 22,
        description = "A config file of 'key = value' lines whose keys are these options without dashes"
            + " (sample: deploy/coreloop.conf).")
    private Path configFile;

    @Option(names = "--dry-run", order = 23,
        description = "Print the resolved settings, where each came from and the plan they resolve to on this"
            + " machine, then exit without serving.")
    private boolean dryRun;

    private final Map<String, String> env;
    private final ServeAction action;

    /**
     * @param env    the process environment (a map in tests).
     * @param action what to run once the settings are valid.
     */
    public ServeCommand(final Map<String, String> env, final ServeAction action)
    {
        this.env = env;
        this.action = action;
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final LauncherSettings settings;
        try
        {
            settings = resolveSettings();
        }
        catch (final ConfigException ex)
        {
            return Main.badInput(err, spec, ex.getMessage());
        }
        if (dryRun)
        {
            final PinSetup pins;
            final PinSetup.JvmThreads jvmThreads;
            try
            {
                pins = PinSetup.resolve(settings);
                jvmThreads = pins.jvmThreads(settings);
            }
            catch (final ConfigException ex)
            {
                return Main.badInput(err, spec, ex.getMessage());
            }
            out.print(settings.describe());
            out.println("effective pinning spec = " + settings.effectivePinSpec());
            out.println("pin mode              = " + pins.mode().specName() + " (" + pins.modeSource() + ")");
            out.println(pins.plan() + "; mode " + pins.mode().specName());
            out.println("jvm threads cpus      = " + (jvmThreads.cpus() == null ? "none (stay where they are)" :
                jvmThreads.cpus().toString()) + " (" + jvmThreads.why() + ")");
            out.println("counters file         = " + (settings.runDir() == null ?
                dev.coreloop.core.status.CountersFile.defaultParentDirectory(env) : settings.runDir()) + "/" +
                dev.coreloop.core.status.CountersFile.DIRECTORY_PREFIX + "<pid>/" +
                dev.coreloop.core.status.CountersFile.FILE_NAME);
            out.flush();
            return Main.EXIT_OK;
        }
        return action.serve(settings, out, err);
    }

    LauncherSettings resolveSettings()
    {
        final Map<Setting, String> flags = new EnumMap<>(Setting.class);
        putIfGiven(flags, Setting.REACTORS, reactors);
        putIfGiven(flags, Setting.PIN, pin);
        putIfGiven(flags, Setting.PIN_MODE, pinMode);
        putIfGiven(flags, Setting.BIND, bind);
        putIfGiven(flags, Setting.ECHO_PORT, echoPort);
        putIfGiven(flags, Setting.HTTP_PORT, httpPort);
        putIfGiven(flags, Setting.RESP_PORT, respPort);
        putIfGiven(flags, Setting.PROXY_PORT, proxyPort);
        putIfGiven(flags, Setting.PROXY_UPSTREAM, proxyUpstream);
        putIfGiven(flags, Setting.SHUTDOWN_DEADLINE_MS, shutdownDeadlineMs);
        putIfGiven(flags, Setting.METRICS_PORT, metricsPort);
        putIfGiven(flags, Setting.RUN_DIR, runDir);
        putIfGiven(flags, Setting.IDLE_TIMEOUT_MS, idleTimeoutMs);
        putIfGiven(flags, Setting.WRITE_STALL_TIMEOUT_MS, writeStallTimeoutMs);
        putIfGiven(flags, Setting.DRAIN_TIMEOUT_MS, drainTimeoutMs);
        putIfGiven(flags, Setting.BUFFER_POOL_BYTES, bufferPoolBytes);
        putIfGiven(flags, Setting.BACKLOG, backlog);
        putIfGiven(flags, Setting.IDLE_MODE, idleMode);
        putIfGiven(flags, Setting.RESP_PROTO_MAX_BULK_LEN, respProtoMaxBulkLen);
        putIfGiven(flags, Setting.RESP_MAXMEMORY, respMaxmemory);
        putIfGiven(flags, Setting.JVM_THREADS_CPUS, jvmThreadsCpus);
        final ConfigFile file = null == configFile ? null : ConfigFile.read(configFile);
        return LauncherSettings.resolve(flags, env, file);
    }

    private static void putIfGiven(final Map<Setting, String> flags, final Setting setting, final String value)
    {
        if (value != null)
        {
            flags.put(setting, value);
        }
    }
}
