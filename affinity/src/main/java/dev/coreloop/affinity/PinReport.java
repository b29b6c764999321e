package dev.coreloop.affinity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Formats a {@link PlanPinner}'s state as a human-readable table and as JSON (written by hand: the module has no
 * JSON dependency).
 *
 * <p><b>Threading:</b> stateless; reads the pinner's counters, which are safe from any thread.
 */
final class PinReport
{
    private static final String[] HEADERS =
        { "role", "CPU", "core", "socket", "node", "pinned", "verified", "status", "migrations" };

    private PinReport()
    {
    }

    static String table(final PlanPinner pinner)
    {
        final ResolvedPlan plan = pinner.plan();
        final CpuTopology topology = plan.topology();
        final StringBuilder sb = new StringBuilder();
        sb.append("pinning: mode=").append(pinner.mode().specName()).append(" spec='").append(plan.plan().spec())
            .append("' reactors=").append(plan.reactorCount());
        if (!pinner.active())
        {
            sb.append(" (unpinned)");
        }
        sb.append('\n').append(topology.describe()).append('\n');
        sb.append("reserved: ").append(plan.reserved().isEmpty() ? "none" : plan.reserved().toString()).append('\n');

        final List<String[]> rows = new ArrayList<>();
        rows.add(HEADERS);
        final Map<String, PinCounters> counters = pinner.countersByRole();
        for (final PinCounters row : counters.values())
        {
            final CpuSet planned = plan.cpusFor(row.role());
            rows.add(new String[] {
                row.role(),
                planned == null ? "allowed" : planned.toString(),
                planned == null ? "-" : joined(topology, planned, LogicalCpu::coreId),
                planned == null ? "-" : joined(topology, planned, LogicalCpu::packageId),
                planned == null ? "-" : joined(topology, planned, LogicalCpu::nodeId),
                row.actualCpus().isEmpty() ? "-" : row.actualCpus(),
                verified(row),
                row.status() == null ? "not started" : row.status().name(),
                row.cpuSamples() == 0 ? "-" : Long.toString(row.migrations()),
            });
        }
        final int[] widths = new int[HEADERS.length];
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                sb.append(row[i]);
                if (i < row.length - 1)
                {
                    sb.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            sb.append('\n');
        }
        if (pinner.claims() != null)
        {
            sb.append("claims: CPUs ").append(pinner.claims().claimed().isEmpty() ? "none" :
                pinner.claims().claimed().toString()).append(" in ").append(pinner.claims().directory()).append('\n');
            for (final String note : pinner.claims().notes())
            {
                sb.append("note: ").append(note).append('\n');
            }
        }
        for (final String warning : topology.warnings())
        {
            sb.append("warning: ").append(warning).append('\n');
        }
        for (final String warning : pinner.warnings())
        {
            sb.append("warning: ").append(warning).append('\n');
        }
        return sb.toString();
    }

    static String json(final PlanPinner pinner)
    {
        final ResolvedPlan plan = pinner.plan();
        final CpuTopology topology = plan.topology();
        final StringBuilder sb = new StringBuilder(512);
        sb.append('{');
        field(sb, "mode", pinner.mode().specName()).append(',');
        field(sb, "spec", plan.plan().spec()).append(',');
        sb.append("\"pinned\":").append(pinner.active()).append(',');
        sb.append("\"reactorCount\":").append(plan.reactorCount()).append(',');
        field(sb, "allowed", topology.allowed().toString()).append(',');
        field(sb, "online", topology.online().toString()).append(',');
        field(sb, "offline", topology.offline().toString()).append(',');
        field(sb, "isolated", topology.isolated().toString()).append(',');
        field(sb, "reserved", plan.reserved().toString()).append(',');
        sb.append("\"cgroupCpuset\":");
        if (topology.cgroupCpuset() == null)
        {
            sb.append("null");
        }
        else
        {
            string(sb, topology.cgroupCpuset().toString());
        }
        sb.append(",\"cfsQuotaCpus\":");
        sb.append(topology.quota() == null ? "null" : String.format(Locale.ROOT, "%.3f", topology.quota().cpus()));
        sb.append(",\"roles\":[");
        boolean first = true;
        for (final PinCounters row : pinner.counters())
        {
            final CpuSet planned = plan.cpusFor(row.role());
            sb.append(first ? "" : ",").append('{');
            first = false;
            field(sb, "role", row.role()).append(',');
            field(sb, "plannedCpus", row.plannedCpus()).append(',');
            sb.append("\"cores\":").append(planned == null ? "[]" : jsonInts(topology, planned, LogicalCpu::coreId));
            sb.append(",\"sockets\":")
                .append(planned == null ? "[]" : jsonInts(topology, planned, LogicalCpu::packageId));
            sb.append(",\"nodes\":").append(planned == null ? "[]" : jsonInts(topology, planned, LogicalCpu::nodeId));
            sb.append(',');
            field(sb, "actualCpus", row.actualCpus()).append(',');
            sb.append("\"status\":");
            if (row.status() == null)
            {
                sb.append("null");
            }
            else
            {
                string(sb, row.status().name());
            }
            sb.append(",\"verified\":").append(row.status() == PinResult.Status.PINNED);
            sb.append(",\"threadId\":").append(row.threadId());
            sb.append(",\"lastCpu\":").append(row.lastCpu());
            sb.append(",\"cpuSamples\":").append(row.cpuSamples());
            sb.append(",\"migrations\":").append(row.migrations());
            sb.append('}');
        }
        sb.append("],\"warnings\":[");
        first = true;
        final List<String> warnings = new ArrayList<>(topology.warnings());
        warnings.addAll(pinner.warnings());
        for (final String warning : warnings)
        {
            sb.append(first ? "" : ",");
            string(sb, warning);
            first = false;
        }
        sb.append(']');
        if (pinner.claims() != null)
        {
            sb.append(",\"claims\":{");
            field(sb, "directory", pinner.claims().directory().toString()).append(',');
            field(sb, "claimed", pinner.claims().claimed().toString());
            sb.append(",\"conflicts\":[");
            first = true;
            for (final CpuClaims.Conflict conflict : pinner.claims().conflicts())
            {
                sb.append(first ? "{" : ",{").append("\"cpu\":").append(conflict.cpu()).append(',');
                field(sb, "role", conflict.role()).append(",\"ownerPid\":").append(conflict.ownerPid()).append(',');
                field(sb, "ownerRole", conflict.ownerRole()).append('}');
                first = false;
            }
            sb.append("]}");
        }
        sb.append('}');
        return sb.toString();
    }

    private static String verified(final PinCounters row)
    {
        if (row.status() == null)
        {
            return "pending";
        }
        return switch (row.status())
        {
            case PINNED -> "yes";
            case MISMATCH, FAILED -> "NO";
            case UNPINNED -> row.actualCpus().isEmpty() ? "-" : "reset";
        };
    }

    private interface CpuField
    {
        int of(LogicalCpu cpu);
    }

    private static TreeSet<Integer> values(final CpuTopology topology, final CpuSet cpus, final CpuField field)
    {
        final TreeSet<Integer> values = new TreeSet<>();
        for (int id = cpus.first(); id >= 0; id = cpus.next(id))
        {
            final LogicalCpu cpu = topology.cpu(id);
            if (cpu != null)
            {
                values.add(field.of(cpu));
            }
        }
        return values;
    }

    private static String joined(final CpuTopology topology, final CpuSet cpus, final CpuField field)
    {
        final TreeSet<Integer> values = values(topology, cpus, field);
        if (values.isEmpty())
        {
            return "?";
        }
        final StringBuilder sb = new StringBuilder();
        for (final Integer value : values)
        {
            sb.append(sb.length() == 0 ? "" : ",").append(value);
        }
        return sb.toString();
    }

    private static String jsonInts(final CpuTopology topology, final CpuSet cpus, final CpuField field)
    {
        return "[" + joined(topology, cpus, field).replace("?", "") + "]";
    }

    private static StringBuilder field(final StringBuilder sb, final String name, final String value)
    {
        string(sb, name);
        sb.append(':');
        string(sb, value);
        return sb;
    }

    /** Appends {@code value} as a JSON string ({@link JsonStrings}). */
    static void string(final StringBuilder sb, final String value)
    {
        JsonStrings.append(sb, value);
    }
}
