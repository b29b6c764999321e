package dev.coreloop.affinity;

/**
 * A CFS bandwidth limit on the process's cgroup: {@code quotaUs} of CPU time per {@code periodUs}.
 *
 * <p><b>Threading:</b> immutable; any thread.
 *
 * @param quotaUs  CPU time allowed per period, in microseconds.
 * @param periodUs the period, in microseconds.
 * @param source   the file the limit was read from (relative to the topology root), for the report.
 */
public record CpuQuota(long quotaUs, long periodUs, String source)
{
    /** {@return the limit in CPUs, e.g. 2.5 for {@code 250000 100000}} */
    public double cpus()
    {
        return (double)quotaUs / periodUs;
    }
}
