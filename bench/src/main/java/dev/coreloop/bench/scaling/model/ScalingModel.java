package dev.coreloop.bench.scaling.model;

import dev.coreloop.bench.scaling.Protocol;
import dev.coreloop.bench.scaling.RequestWriter;
import dev.coreloop.examples.resp.KeyHash;

/**
 * The scaling model: throughput at N reactors from per-operation costs measured on any machine.
 *
 * <p>A reactor is a single thread that is either busy or parked, so at saturation reactor K serves
 * {@code 1 / (CPU per operation)} operations per second and N reactors serve the sum, unless something shared stops
 * them. For a workload whose operations never leave their reactor (echo, HTTP) that is {@code N / c_local}. A sharded
 * workload (RESP) sends an operation whose key another reactor owns over the message ring and back:
 * <pre>
 *   X(N) = N / ((c_local + f(N) * c_hop) * imbalance(N))        f(N) = (N - 1) / N
 * </pre>
 * {@code c_local}: CPU per operation at one reactor (all local); {@code c_hop}: CPU of a message-ring round trip
 * between two busy reactors (both sides); {@code f(N)}: the fraction of operations whose key is owned by another
 * reactor when connections are spread evenly and keys are drawn uniformly (a request is local with probability
 * 1/N whatever the key distribution); {@code imbalance(N)}: the busiest shard's share of the keyspace times N, from
 * the workload's real keys and {@link KeyHash} (1.0 is perfect balance; applying it to the whole cost is
 * conservative).
 *
 * <p>Connections per second are bounded by the acceptor in {@code ACCEPTOR_THREAD} mode,
 * {@code min(N / c_conn_reactor, 1 / c_conn_acceptor)}, and scale as {@code N / c_conn_reactor} with
 * {@code REUSE_PORT}.
 *
 * <p>The Universal Scalability Law {@code X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))} is fitted
 * ({@link #fitUsl}) only to at least {@value #USL_MIN_POINTS} measured points that were not oversubscribed.
 *
 * <p><b>Threading:</b> stateless.
 */
public final class ScalingModel
{
    /** The fewest measured points the USL fit accepts. */
    public static final int USL_MIN_POINTS = 4;

    private ScalingModel()
    {
    }

    /**
     * @param reactors N.
     * @return (N - 1) / N.
     */
    public static double crossShardFraction(final int reactors)
    {
        return (reactors - 1) / (double)reactors;
    }

    /**
     * @param reactors N shards.
     * @return N times the largest share of the RESP workload's keys that one shard owns.
     */
    public static double imbalance(final int reactors)
    {
        final int[] owned = new int[reactors];
        for (int key = 0; key < Protocol.RESP_KEYSPACE; key++)
        {
            final byte[] bytes = RequestWriter.keyBytes(key);
            owned[KeyHash.owner(KeyHash.hash(bytes, 0, bytes.length), reactors)]++;
        }
        int max = 0;
        for (final int count : owned)
        {
            max = Math.max(max, count);
        }
        return max * (double)reactors / Protocol.RESP_KEYSPACE;
    }

    /**
     * @param reactors    N.
     * @param localCpuNs  c_local.
     * @param hopCpuNs    c_hop.
     * @param imbalance   imbalance(N).
     * @return predicted operations per second of a sharded workload.
     */
    public static double shardedOpsPerS(final int reactors, final double localCpuNs, final double hopCpuNs,
        final double imbalance)
    {
        return reactors * 1e9 / ((localCpuNs + crossShardFraction(reactors) * hopCpuNs) * imbalance);
    }

    /**
     * @param reactors   N.
     * @param localCpuNs c_local.
     * @return predicted operations per second of a workload that stays on its reactor.
     */
    public static double localOpsPerS(final int reactors, final double localCpuNs)
    {
        return reactors * 1e9 / localCpuNs;
    }

    /**
     * @param reactors          N.
     * @param reactorCpuNsPerConn reactor CPU per connection.
     * @param acceptorCpuNsPerConn acceptor CPU per connection; 0 or NaN for REUSE_PORT.
     * @return predicted connections per second.
     */
    public static double connectionsPerS(final int reactors, final double reactorCpuNsPerConn,
        final double acceptorCpuNsPerConn)
    {
        final double reactorBound = reactors * 1e9 / reactorCpuNsPerConn;
        if (Double.isNaN(acceptorCpuNsPerConn) || acceptorCpuNsPerConn <= 0)
        {
            return reactorBound;
        }
        return Math.min(reactorBound, 1e9 / acceptorCpuNsPerConn);
    }

    /**
     * Universal Scalability Law parameters.
     *
     * @param lambda throughput of one reactor.
     * @param sigma  contention (serial fraction).
     * @param kappa  coherency (pairwise crosstalk).
     */
    public record Usl(double lambda, double sigma, double kappa)
    {
        /**
         * @param reactors N.
         * @return the law's throughput at N.
         */
        public double opsPerS(final double reactors)
        {
            return lambda * reactors / (1 + sigma * (reactors - 1) + kappa * reactors * (reactors - 1));
        }
    }

    /**
     * Fits the USL by linear least squares: with lambda = X(1), {@code lambda N / X(N) - 1 = sigma (N - 1) +
     * kappa N (N - 1)}.
     *
     * @param reactors reactor counts, one of them 1.
     * @param opsPerS  measured throughput at each.
     * @return the fitted law.
     * @throws IllegalArgumentException with fewer than {@value #USL_MIN_POINTS} points, without N = 1, or when the
     *                                  points do not determine sigma and kappa.
     */
    public static Usl fitUsl(final int[] reactors, final double[] opsPerS)
    {
        if (reactors.length != opsPerS.length || reactors.length < USL_MIN_POINTS)
        {
            throw new IllegalArgumentException("the USL fit needs at least " + USL_MIN_POINTS +
                " measured points that are not oversubscribed, but has " + Math.min(reactors.length, opsPerS.length));
        }
        double lambda = Double.NaN;
        for (int i = 0; i < reactors.length; i++)
        {
            if (reactors[i] == 1)
            {
                lambda = opsPerS[i];
            }
        }
        if (Double.isNaN(lambda))
        {
            throw new IllegalArgumentException("the USL fit needs the 1-reactor point");
        }
        double saa = 0;
        double sab = 0;
        double sbb = 0;
        double say = 0;
        double sby = 0;
        for (int i = 0; i < reactors.length; i++)
        {
            final double n = reactors[i];
            final double a = n - 1;
            final double b = n * (n - 1);
            final double y = lambda * n / opsPerS[i] - 1;
            saa += a * a;
            sab += a * b;
            sbb += b * b;
            say += a * y;
            sby += b * y;
        }
        final double det = saa * sbb - sab * sab;
        if (Math.abs(det) < 1e-12)
        {
            throw new IllegalArgumentException("the USL fit needs at least 3 distinct reactor counts");
        }
        final double sigma = (say * sbb - sby * sab) / det;
        final double kappa = (saa * sby - sab * say) / det;
        return new Usl(lambda, sigma, kappa);
    }
}
