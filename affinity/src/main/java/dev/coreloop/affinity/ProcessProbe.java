package dev.coreloop.affinity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Tells whether a process is alive and which process it is: a PID alone does not say, since the kernel reuses PIDs.
 * {@link CpuClaims} records its owner's {@link #startTime(long)} next to the PID and treats a claim as live only when
 * both still match. Tests substitute a fake.
 *
 * <p><b>Threading:</b> implementations are stateless or thread-safe.
 */
@FunctionalInterface
public interface ProcessProbe
{
    /** {@link #startTime(long)} of a process that does not exist (or is a zombie: it has exited). */
    long GONE = -1;

    /**
     * {@return a number that identifies the process {@code pid} for its whole life and differs for a later process
     * that reuses the PID, or {@link #GONE}} On Linux this is field 22 of {@code /proc/<pid>/stat} ({@code starttime},
     * clock ticks after boot); elsewhere the start instant in milliseconds ({@link ProcessHandle.Info#startInstant()}),
     * or 0 when the OS does not say.
     *
     * @param pid a process id.
     */
    long startTime(long pid);

    /** {@return the probe of this machine: procfs when {@code /proc/self/stat} exists, else {@link ProcessHandle}} */
    static ProcessProbe system()
    {
        return Files.isReadable(Path.of("/proc/self/stat")) ? procfs(Path.of("/proc")) : ProcessProbe::handleStartTime;
    }

    /**
     * {@return a probe reading {@code <proc>/<pid>/stat}}
     *
     * @param proc the procfs mount ({@code /proc}), or a fixture tree in tests.
     */
    static ProcessProbe procfs(final Path proc)
    {
        return pid ->
        {
            if (pid <= 0)
            {
                return GONE;
            }
            try
            {
                return parseStartTime(new String(Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("stat")),
                    StandardCharsets.US_ASCII));
            }
            catch (final NoSuchFileException ex)
            {
                return GONE;
            }
            catch (final IOException ex)
            {
                // Exists but unreadable (hidepid=): alive, identity unknown, so never taken for stale.
                return 0;
            }
        };
    }

    /**
     * {@return the {@code starttime} of a {@code /proc/<pid>/stat} line, {@link #GONE} for a zombie or a dead
     * process, or 0 when the line cannot be parsed}
     *
     * @param stat the file's content.
     */
    static long parseStartTime(final String stat)
    {
        // The command name (field 2) is in parentheses and may itself hold spaces and ')': fields resume after the
        // last ')'. Then field 3 is the state and field 22 the start time.
        final int close = stat.lastIndexOf(')');
        if (close < 0)
        {
            return 0;
        }
        final String[] fields = stat.substring(close + 1).trim().split("\\s+");
        if (fields.length < 20)
        {
            return 0;
        }
        if ("Z".equals(fields[0]) || "X".equals(fields[0]) || "x".equals(fields[0]))
        {
            return GONE;
        }
        try
        {
            return Long.parseLong(fields[19]);
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }

    private static long handleStartTime(final long pid)
    {
        final Optional<ProcessHandle> handle = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        if (handle.isEmpty() || !handle.get().isAlive())
        {
            return GONE;
        }
        return handle.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
