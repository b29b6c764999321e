package dev.coreloop.deploy;

import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Compares the JVM's direct-memory limit with what the reactors' buffer pools may take, so that a server started with
 * more reactors than the launcher planned for (the script sizes {@code -XX:MaxDirectMemorySize} for one reactor per
 * usable CPU) or with a small limit in {@code JAVA_OPTS} says so at start, instead of refusing ring growth
 * ({@code BUFFER_EXHAUSTED}) under load.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
final class DirectMemoryCheck
{
    /** Room the JDK's own direct buffers (NIO's temporary buffers, the launcher's) need beside the pools. */
    static final long JDK_ROOM_BYTES = 16L << 20;

    private DirectMemoryCheck()
    {
    }

    /**
     * {@return a warning when {@code limitBytes} cannot hold every pool, else null}
     *
     * @param reactors         how many reactors run.
     * @param poolBytesPerReactor each reactor's buffer pool cap.
     * @param limitBytes       the JVM's direct-memory limit, or a negative value if unknown (no warning).
     */
    static String warning(final int reactors, final long poolBytesPerReactor, final long limitBytes)
    {
        final long neededBytes = reactors * poolBytesPerReactor + JDK_ROOM_BYTES;
        if (limitBytes < 0 || limitBytes >= neededBytes)
        {
            return null;
        }
        return "coreloop: warning: the JVM's direct-memory limit (" + mib(limitBytes) + " MiB) is below what " +
            reactors + " reactor buffer pools of " + mib(poolBytesPerReactor) + " MiB may take, plus " +
            mib(JDK_ROOM_BYTES) + " MiB for the JDK (" + mib(neededBytes) + " MiB); under load, ring growth past it is" +
            " refused (BUFFER_EXHAUSTED). Raise it: JAVA_OPTS=-XX:MaxDirectMemorySize=" + mib(neededBytes) + "m";
    }

    /** {@return this JVM's direct-memory limit in bytes, or -1 if it cannot be read} */
    static long jvmLimitBytes()
    {
        try
        {
            final HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            final long configured = Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
            return configured > 0 ? configured : Runtime.getRuntime().maxMemory(); // 0: the JDK uses the max heap
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return -1;
        }
    }

    private static long mib(final long bytes)
    {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
