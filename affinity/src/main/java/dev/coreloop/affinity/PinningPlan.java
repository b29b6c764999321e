package dev.coreloop.affinity;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A parsed pinning spec: which CPUs the acceptor and the reactors should run on, before it is checked against a
 * machine. The same string is accepted from a config file, the {@value #SPEC_ENV_NAME} environment variable and a
 * command-line flag; docs/pinning.md is the user's reference.
 *
 * <p>Grammar: whitespace-separated {@code key=value} items, each key at most once, in any order.
 * <pre>
 * reactors=auto | N | CPU-LIST | nodeK     default auto
 * acceptor=auto | CPU | float              default auto
 * reserve=auto | none | CPU-LIST           default auto
 * smt=avoid | allow                        default avoid
 * mode=strict | best-effort | off          default best-effort
 * off                                      same as mode=off
 * </pre>
 * {@code N} is a count (one or more digits); a {@code CPU-LIST} is the kernel's list form and must contain a
 * {@code -} or a {@code ,} when used for reactors ({@code reactors=2-9}, {@code reactors=3,5};
 * {@code reactors=4-4} names the single CPU 4, since {@code reactors=4} means four reactors). An empty spec means
 * {@code reactors=auto}. {@link #resolve(CpuTopology)} documents the placement rules.
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
public final class PinningPlan
{
    /** The environment variable the launcher reads a spec from. */
    public static final String SPEC_ENV_NAME = "CORELOOP_PIN";
    /** The system property the launcher reads a spec from. */
    public static final String SPEC_PROP_NAME = "coreloop.pin";
    /** The spec used when none is given. */
    public static final String SPEC_DEFAULT = "reactors=auto";

    /** How the reactors were specified. */
    public enum ReactorsKind
    {
        /** One reactor per physical core of the allowed set. */
        AUTO,
        /** A fixed number of reactors, placed like auto. */
        COUNT,
        /** One reactor per listed CPU, in the written order. */
        CPUS,
        /** One reactor per physical core of one NUMA node. */
        NODE
    }

    /** How the acceptor was specified. */
    public enum AcceptorKind
    {
        /** On the reserved CPUs, or on reactor-0's CPU when nothing is reserved. */
        AUTO,
        /** On one named CPU. */
        CPU,
        /** Not pinned: reset to the process's allowed set. */
        FLOAT
    }

    /** How the reserved CPUs were specified. */
    public enum ReserveKind
    {
        /** The physical core of the lowest allowed CPU, when the allowed set has enough cores. */
        AUTO,
        /** Nothing reserved. */
        NONE,
        /** The listed CPUs. */
        CPUS
    }

    /** Whether reactors may share a physical core. */
    public enum SmtPolicy
    {
        /** One reactor per physical core while free cores remain; sharing a core is warned about. */
        AVOID,
        /** Every logical CPU may host a reactor; auto places one per logical CPU. */
        ALLOW
    }

    private static final Set<String> KEYS = Set.of("reactors", "acceptor", "reserve", "smt", "mode");

    private final String spec;
    private final ReactorsKind reactorsKind;
    private final int reactorCount;
    private final int[] reactorCpus;
    private final String reactorsText;
    private final int reactorNode;
    private final AcceptorKind acceptorKind;
    private final int acceptorCpu;
    private final ReserveKind reserveKind;
    private final CpuSet reserve;
    private final String reserveText;
    private final SmtPolicy smt;
    private final PinMode mode;

    private PinningPlan(
        final String spec,
        final ReactorsKind reactorsKind,
        final int reactorCount,
        final int[] reactorCpus,
        final String reactorsText,
        final int reactorNode,
        final AcceptorKind acceptorKind,
        final int acceptorCpu,
        final ReserveKind reserveKind,
        final CpuSet reserve,
        final String reserveText,
        final SmtPolicy smt,
        final PinMode mode)
    {
        this.spec = spec;
        this.reactorsKind = reactorsKind;
        this.reactorCount = reactorCount;
        this.reactorCpus = reactorCpus;
        this.reactorsText = reactorsText;
        this.reactorNode = reactorNode;
        this.acceptorKind = acceptorKind;
        this.acceptorCpu = acceptorCpu;
        this.reserveKind = reserveKind;
        this.reserve = reserve;
        this.reserveText = reserveText;
        this.smt = smt;
        this.mode = mode;
    }

    /**
     * Parses a pinning spec.
     *
     * @param spec the text, e.g. {@code "acceptor=0 reactors=2-9"}; null or blank means {@value #SPEC_DEFAULT}.
     * @return the plan.
     * @throws PinningException naming the item and the problem.
     */
    public static PinningPlan parse(final String spec)
    {
        final String text = spec == null ? "" : spec.trim();
        ReactorsKind reactorsKind = ReactorsKind.AUTO;
        int reactorCount = -1;
        int[] reactorCpus = new int[0];
        String reactorsText = "auto";
        int reactorNode = -1;
        AcceptorKind acceptorKind = AcceptorKind.AUTO;
        int acceptorCpu = -1;
        ReserveKind reserveKind = ReserveKind.AUTO;
        CpuSet reserve = CpuSet.empty();
        String reserveText = "auto";
        SmtPolicy smt = SmtPolicy.AVOID;
        PinMode mode = PinMode.BEST_EFFORT;

        final Set<String> seen = new HashSet<>();
        for (final String item : text.isEmpty() ? new String[0] : text.split("\\s+"))
        {
            if ("off".equalsIgnoreCase(item))
            {
                checkOnce(text, seen, "mode");
                mode = PinMode.OFF;
                continue;
            }
            final int eq = item.indexOf('=');
            if (eq <= 0)
            {
                throw new PinningException(
                    "pinning spec '" + text + "': '" + item + "' is not key=value (keys: acceptor, mode, reactors, " +
                    "reserve, smt)");
            }
            final String key = item.substring(0, eq).toLowerCase(Locale.ROOT);
            final String value = item.substring(eq + 1);
            if (!KEYS.contains(key))
            {
                throw new PinningException(
                    "pinning spec '" + text + "': unknown key '" + key + "' (keys: acceptor, mode, reactors, " +
                    "reserve, smt)");
            }
            checkOnce(text, seen, key);
            if (value.isEmpty())
            {
                throw new PinningException("pinning spec '" + text + "': " + key + "= has no value");
            }
            final String lower = value.toLowerCase(Locale.ROOT);
            switch (key)
            {
                case "reactors":
                    reactorsText = value;
                    if ("auto".equals(lower))
                    {
                        reactorsKind = ReactorsKind.AUTO;
                    }
                    else if (isDigits(value))
                    {
                        reactorsKind = ReactorsKind.COUNT;
                        reactorCount = parseNumber(text, item, value);
                        if (reactorCount < 1)
                        {
                            throw new PinningException("pinning spec '" + text + "': " + item +
                                " places no reactor; give at least 1");
                        }
                    }
                    else if (lower.startsWith("node") && isDigits(value.substring(4)))
                    {
                        reactorsKind = ReactorsKind.NODE;
                        reactorNode = parseNumber(text, item, value.substring(4));
                    }
                    else
                    {
                        reactorsKind = ReactorsKind.CPUS;
                        reactorCpus = parseCpus(text, item, value);
                    }
                    break;
                case "acceptor":
                    if ("auto".equals(lower))
                    {
                        acceptorKind = AcceptorKind.AUTO;
                    }
                    else if ("float".equals(lower))
                    {
                        acceptorKind = AcceptorKind.FLOAT;
                    }
                    else if (isDigits(value))
                    {
                        acceptorKind = AcceptorKind.CPU;
                        acceptorCpu = parseNumber(text, item, value);
                    }
                    else
                    {
                        throw new PinningException("pinning spec '" + text + "': " + item +
                            ": expected auto, float or one CPU number");
                    }
                    break;
                case "reserve":
                    reserveText = value;
                    if ("auto".equals(lower))
                    {
                        reserveKind = ReserveKind.AUTO;
                    }
                    else if ("none".equals(lower))
                    {
                        reserveKind = ReserveKind.NONE;
                    }
                    else
                    {
                        reserveKind = ReserveKind.CPUS;
                        reserve = CpuSet.of(parseCpus(text, item, value));
                    }
                    break;
                case "smt":
                    if ("avoid".equals(lower))
                    {
                        smt = SmtPolicy.AVOID;
                    }
                    else if ("allow".equals(lower))
                    {
                        smt = SmtPolicy.ALLOW;
                    }
                    else
                    {
                        throw new PinningException("pinning spec '" + text + "': " + item + ": expected avoid or allow");
                    }
                    break;
                default:
                    try
                    {
                        mode = PinMode.parse(value);
                    }
                    catch (final PinningException ex)
                    {
                        throw new PinningException("pinning spec '" + text + "': " + ex.getMessage(), ex);
                    }
                    break;
            }
        }
        return new PinningPlan(
            text.isEmpty() ? SPEC_DEFAULT : text, reactorsKind, reactorCount, reactorCpus, reactorsText, reactorNode,
            acceptorKind, acceptorCpu, reserveKind, reserve, reserveText, smt, mode);
    }

    /**
     * The spec the process was started with: the {@value #SPEC_PROP_NAME} system property if set, else the
     * {@value #SPEC_ENV_NAME} environment variable if set, else {@value #SPEC_DEFAULT}. A launcher with its own flag
     * or config key passes that value to {@link #parse(String)} instead.
     *
     * @return the spec text.
     */
    public static String specFromEnvironment()
    {
        final String property = System.getProperty(SPEC_PROP_NAME);
        if (property != null && !property.isBlank())
        {
            return property;
        }
        final String env = System.getenv(SPEC_ENV_NAME);
        return env != null && !env.isBlank() ? env : SPEC_DEFAULT;
    }

    private static void checkOnce(final String text, final Set<String> seen, final String key)
    {
        if (!seen.add(key))
        {
            throw new PinningException("pinning spec '" + text + "': " + key + " is given twice");
        }
    }

    private static boolean isDigits(final String value)
    {
        if (value.isEmpty())
        {
            return false;
        }
        for (int i = 0; i < value.length(); i++)
        {
            if (value.charAt(i) < '0' || value.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }

    private static int parseNumber(final String text, final String item, final String digits)
    {
        if (digits.length() > 5 || Integer.parseInt(digits) > CpuSet.MAX_CPU_ID)
        {
            throw new PinningException("pinning spec '" + text + "': " + item + ": " + digits + " is above " +
                CpuSet.MAX_CPU_ID);
        }
        return Integer.parseInt(digits);
    }

    private static int[] parseCpus(final String text, final String item, final String value)
    {
        try
        {
            return CpuSet.parseSequence(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new PinningException("pinning spec '" + text + "': " + item + ": " + ex.getMessage() +
                " (expected auto, a count, a CPU list such as 2-9 or 3,5, or nodeK)", ex);
        }
    }

    /**
     * Places this plan on a machine. Rules, in order:
     * <ol>
     * <li>{@code reserve=auto} reserves the whole physical core of the lowest allowed CPU (CPU 0 on most
     * machines) for the OS and the acceptor, but only when the allowed set spans at least
     * {@value PlanResolver#AUTO_RESERVE_MIN_CORES} physical cores, the reactors are not given as a CPU list and
     * the acceptor is not given a CPU; with fewer cores every core runs a reactor.</li>
     * <li>{@code reactors=auto} places one reactor per physical core of the allowed set outside the reserve
     * ({@code smt=allow}: one per logical CPU); on a hybrid processor only performance cores count, unless the
     * allowed set has none.</li>
     * <li>Count and auto placement order cores as: performance before efficiency, isolated ({@code isolcpus})
     * before not, then by NUMA node and CPU id; each core's first CPU is used before any SMT sibling. When the
     * reactors fit on the free cores of one NUMA node, they all go there (the acceptor's node first, else the node
     * with most free cores).</li>
     * <li>{@code acceptor=auto} runs on the reserved CPUs, or shares reactor-0's CPU when nothing is reserved.</li>
     * </ol>
     *
     * @param topology the machine.
     * @return the role-to-CPU placement with its warnings.
     * @throws PinningException naming the problem when the plan is impossible on this machine.
     */
    public ResolvedPlan resolve(final CpuTopology topology)
    {
        return PlanResolver.resolve(this, topology);
    }

    /** {@return the spec as given (trimmed), or {@value #SPEC_DEFAULT} when it was empty} */
    public String spec()
    {
        return spec;
    }

    /** {@return how the reactors were given ({@code reactors=})} */
    public ReactorsKind reactorsKind()
    {
        return reactorsKind;
    }

    /** {@return the count for {@link ReactorsKind#COUNT}, else -1} */
    public int reactorCount()
    {
        return reactorCount;
    }

    /** {@return the CPUs for {@link ReactorsKind#CPUS} in written order (repeats kept), else empty} */
    public int[] reactorCpus()
    {
        return reactorCpus.clone();
    }

    /** {@return the {@code reactors=} value as written} */
    public String reactorsText()
    {
        return reactorsText;
    }

    /** {@return the node for {@link ReactorsKind#NODE}, else -1} */
    public int reactorNode()
    {
        return reactorNode;
    }

    /** {@return how the acceptor was given ({@code acceptor=})} */
    public AcceptorKind acceptorKind()
    {
        return acceptorKind;
    }

    /** {@return the CPU for {@link AcceptorKind#CPU}, else -1} */
    public int acceptorCpu()
    {
        return acceptorCpu;
    }

    /** {@return how the reserved CPUs were given ({@code reserve=})} */
    public ReserveKind reserveKind()
    {
        return reserveKind;
    }

    /** {@return the CPUs for {@link ReserveKind#CPUS}, else empty} */
    public CpuSet reserve()
    {
        return reserve;
    }

    /** {@return the {@code reserve=} value as written} */
    public String reserveText()
    {
        return reserveText;
    }

    /** {@return whether reactors may share a physical core ({@code smt=})} */
    public SmtPolicy smt()
    {
        return smt;
    }

    /** {@return the mode the spec asks for ({@code mode=}), best-effort by default} */
    public PinMode mode()
    {
        return mode;
    }

    @Override
    public String toString()
    {
        return "PinningPlan{" + spec + ", reactorCpus=" + Arrays.toString(reactorCpus) + '}';
    }
}
