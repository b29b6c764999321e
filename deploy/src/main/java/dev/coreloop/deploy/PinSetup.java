package dev.coreloop.deploy;

import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.affinity.PinMode;
import dev.coreloop.affinity.PinningException;
import dev.coreloop.affinity.PinningPlan;
import dev.coreloop.affinity.ResolvedPlan;
import dev.coreloop.affinity.ThreadPinner;

/**
 * The launcher's settings turned into a pinner and a reactor count: the spec is parsed and resolved against this
 * machine's topology, and the pin mode chosen.
 *
 * <p>Mode: an explicit {@code pin-mode} (flag, environment or file) wins; otherwise the spec's own {@code mode=}
 * item applies (best-effort when it has none). Reactor count: an explicit {@code reactors} must equal what the plan
 * places (without a spec it <em>is</em> the spec, see {@link LauncherSettings#effectivePinSpec()}); {@code auto}
 * takes the plan's count, also when pinning is off, so turning pinning off does not change the thread count.
 *
 * <p><b>Threading:</b> immutable; built on the main thread.
 *
 * @param plan         the resolved plan.
 * @param mode         the pin mode in force.
 * @param reactorCount how many reactors to run.
 */
record PinSetup(ResolvedPlan plan, PinMode mode, int reactorCount, String modeSource)
{
    /**
     * @return what the server's threads pin themselves with: a pinner for the plan in this mode, which claims the
     * reactor CPUs unless the mode is off (close it after the server has stopped). In mode off it pins nothing and
     * its report shows the plan marked unpinned.
     * @throws PinningException in strict mode, when this OS cannot pin or another server claimed one of the CPUs.
     */
    ThreadPinner newPinner()
    {
        return ThreadPinner.forPlan(plan, mode);
    }

    /**
     * Where the JVM's own threads go ({@code jvm-threads-cpus}).
     *
     * @param cpus the housekeeping CPUs they move to, or null when they stay where they are.
     * @param why  how that was decided, for {@code --dry-run} and the start-up line.
     */
    record JvmThreads(CpuSet cpus, String why)
    {
    }

    /**
     * @return where the JVM's own threads go: {@code auto} moves them to the allowed CPUs outside the reactors' when
     * there are any and pinning is on; a CPU list must lie in the allowed set and outside the reactor CPUs.
     * @throws ConfigException naming the setting, for a CPU list outside the allowed set or on a reactor's CPU.
     */
    JvmThreads jvmThreads(final LauncherSettings settings)
    {
        final LauncherSettings.Value value = settings.value(Setting.JVM_THREADS_CPUS);
        final CpuSet given = settings.jvmThreadsCpus();
        if (given != null && given.isEmpty())
        {
            return new JvmThreads(null, "off, " + value.label());
        }
        if (mode == PinMode.OFF || !plan.placed())
        {
            return new JvmThreads(null, "off: pinning is off");
        }
        CpuSet reactorCpus = CpuSet.empty();
        for (int i = 0; i < plan.reactorCount(); i++)
        {
            reactorCpus = reactorCpus.union(CpuSet.of(plan.reactorCpu(i)));
        }
        if (given != null)
        {
            if (!plan.allowed().containsAll(given))
            {
                throw new ConfigException(value.label() + ": '" + value.text() + "' is not inside the allowed CPUs " +
                    plan.allowed());
            }
            if (given.intersects(reactorCpus))
            {
                throw new ConfigException(value.label() + ": '" + value.text() + "' includes CPUs " +
                    given.intersect(reactorCpus) + " of the reactors (reactor CPUs " + reactorCpus + ")");
            }
            return new JvmThreads(given, value.label());
        }
        final CpuSet housekeeping = plan.allowed().minus(reactorCpus);
        if (housekeeping.isEmpty())
        {
            return new JvmThreads(null, "off: auto, and every allowed CPU (" + plan.allowed() + ") runs a reactor");
        }
        return new JvmThreads(housekeeping, "auto: the allowed CPUs " + plan.allowed() + " minus the reactor CPUs " +
            reactorCpus);
    }

    /**
     * @throws ConfigException naming the setting, when the spec does not parse, does not fit this machine or
     *                         disagrees with {@code reactors}.
     */
    static PinSetup resolve(final LauncherSettings settings)
    {
        return resolve(settings, CpuTopology.detect());
    }

    static PinSetup resolve(final LauncherSettings settings, final CpuTopology topology)
    {
        final LauncherSettings.Value pin = settings.value(Setting.PIN);
        final LauncherSettings.Value reactors = settings.value(Setting.REACTORS);
        final String spec = settings.effectivePinSpec();
        final String specLabel = pin.source() == LauncherSettings.Source.DEFAULT &&
            reactors.source() != LauncherSettings.Source.DEFAULT ? reactors.label() : pin.label();
        final ResolvedPlan plan;
        try
        {
            plan = PinningPlan.parse(spec).resolve(topology);
        }
        catch (final PinningException ex)
        {
            throw new ConfigException(specLabel + ": " + ex.getMessage(), ex);
        }
        if (settings.reactorCount() != LauncherSettings.REACTORS_AUTO &&
            settings.reactorCount() != plan.reactorCount())
        {
            throw new ConfigException(reactors.label() + " is " + settings.reactorCount() + " but " + pin.label() +
                " '" + settings.pinSpec() + "' places " + plan.reactorCount() + " reactors; give one or make them agree");
        }
        final LauncherSettings.Value pinMode = settings.value(Setting.PIN_MODE);
        final boolean specSaysMode = specGivesMode(spec);
        final PinMode mode;
        final String modeSource;
        if (pinMode.source() == LauncherSettings.Source.DEFAULT || (specSaysMode &&
            pin.source().ordinal() < pinMode.source().ordinal()))
        {
            // No pin-mode given, or the spec's own mode= comes from a source that outranks it (precedence: flag,
            // environment, file, default): a lower-precedence pin-mode never overrides mode= written in --pin.
            mode = plan.mode();
            modeSource = specSaysMode ? "mode= in " + specLabel +
                (pinMode.source() == LauncherSettings.Source.DEFAULT ? "" : ", which outranks " + pinMode.label()) :
                "default";
        }
        else
        {
            mode = PinMode.parse(settings.pinMode());
            if (specSaysMode && pin.source() == pinMode.source() && mode != plan.mode())
            {
                throw new ConfigException(pinMode.label() + " is '" + pinMode.text() + "' but " + specLabel + " '" +
                    spec + "' says mode=" + plan.mode().specName() + "; give one or make them agree");
            }
            modeSource = pinMode.label() + (specSaysMode ? ", which outranks mode= in " + specLabel : "");
        }
        return new PinSetup(plan, mode, plan.reactorCount(), modeSource);
    }

    /** @return true if the spec names its mode ({@code mode=...} or the bare item {@code off}). */
    static boolean specGivesMode(final String spec)
    {
        for (final String item : spec.trim().split("\\s+"))
        {
            if (item.startsWith("mode=") || item.equals("off"))
            {
                return true;
            }
        }
        return false;
    }
}
