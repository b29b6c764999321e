package dev.coreloop.bench.scaling;

/**
 * The measured (or skipped) result of one sweep point: a server, a protocol and a reactor count. Missing numbers are
 * {@link Double#NaN}.
 *
 * @param server         server id ({@link ServerKind#id()}).
 * @param protocol       protocol id ({@link Protocol#id()}).
 * @param reactors       reactors.
 * @param loadThreads    load threads.
 * @param connections    connections in all.
 * @param oversubscribed whether the load could not get CPUs of its own.
 * @param note           empty, {@code oversubscribed: ...}, {@code skipped: ...} or {@code failed: ...}.
 * @param opsPerS        responses per second (JMH score).
 * @param opsPerSError   JMH's 99.9% error of the score.
 * @param cpuUsPerOp     server CPU microseconds per response.
 * @param p50Us          median latency, microseconds.
 * @param p99Us          99th percentile latency, microseconds.
 * @param p999Us         99.9th percentile latency, microseconds.
 * @param allocBytesPerOp bytes allocated per response in the whole JVM (JMH {@code gc.alloc.rate.norm}).
 * @param crossShardFraction forwarded operations per operation (coreloop: ring messages / 2 / responses).
 */
public record Point(
    String server,
    String protocol,
    int reactors,
    int loadThreads,
    int connections,
    boolean oversubscribed,
    String note,
    double opsPerS,
    double opsPerSError,
    double cpuUsPerOp,
    double p50Us,
    double p99Us,
    double p999Us,
    double allocBytesPerOp,
    double crossShardFraction)
{
    /** {@return true if the point was measured (not skipped or failed)} */
    public boolean measured()
    {
        return !Double.isNaN(opsPerS);
    }

    /**
     * A point that was not measured.
     *
     * @param server         server id.
     * @param protocol       protocol id.
     * @param reactors       reactors.
     * @param loadThreads    load threads.
     * @param connections    connections.
     * @param oversubscribed the placement's mark.
     * @param note           why ({@code skipped: ...}, {@code failed: ...}).
     * @return the point, every number NaN.
     */
    public static Point notMeasured(final String server, final String protocol, final int reactors,
        final int loadThreads, final int connections, final boolean oversubscribed, final String note)
    {
        return new Point(server, protocol, reactors, loadThreads, connections, oversubscribed, note, Double.NaN,
            Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
}
