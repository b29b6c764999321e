package dev.coreloop.affinity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Claims on CPUs shared by every coreloop server on a machine, so that two servers pinning reactors to the same
 * CPUs are detected. Each claimed CPU is a file {@code cpu-<N>.lock} in a shared directory holding the owner's PID,
 * the owner's process start time, the role and the time of the claim.
 *
 * <p>A claim file is created atomically (written to a temporary file, then hard-linked to its name, which fails if
 * the name exists). When the file exists, its owner is checked: if that PID is alive and started at the recorded
 * time, the CPU is claimed by another server (or by another plan in this JVM); if the PID is gone or was reused by
 * a process with another start time, the claim is stale, is removed and taken over. {@link #close()} deletes the
 * files this instance created (only if they still name this process). A server killed with SIGKILL leaves its files
 * behind; the next claimant sees them as stale.
 *
 * <p>Limits: processes in different PID namespaces (containers) see each other's PIDs as absent, so the directory
 * must only be shared between servers of one PID namespace, or the container must share the host's PID namespace.
 * Two processes taking over the same stale claim within microseconds of each other may both believe they own it.
 *
 * <p><b>Threading:</b> {@link #claim} and {@link #close()} from one thread (the one building the pinner); the
 * accessors from any thread after construction.
 */
public final class CpuClaims implements AutoCloseable
{
    /** System property naming the claim directory. */
    public static final String LOCK_DIR_PROP_NAME = "coreloop.cpu.lock.dir";
    /** The claim directory used when {@code /run/lock} exists and is writable. */
    public static final String LOCK_DIR_DEFAULT = "/run/lock/coreloop";
    /** The fallback claim directory (under {@code java.io.tmpdir}) when {@code /run/lock} is not usable. */
    public static final String LOCK_DIR_FALLBACK_NAME = "coreloop-cpu-locks";

    /**
     * A CPU that another live process (or another plan in this process) holds.
     *
     * @param cpu       the CPU.
     * @param role      the role this plan wanted to put there.
     * @param ownerPid  the owner's PID.
     * @param ownerRole the owner's role for that CPU.
     * @param file      the claim file.
     */
    public record Conflict(int cpu, String role, long ownerPid, String ownerRole, Path file)
    {
        @Override
        public String toString()
        {
            final String owner = ownerPid == ProcessHandle.current().pid() ?
                "another plan in this process (PID " + ownerPid + ")" : "PID " + ownerPid;
            return "CPU " + cpu + " (" + role + ") is already claimed by " + owner + " for " + ownerRole +
                " (" + file + ")";
        }
    }

    private final Path directory;
    private final List<Path> ownedFiles;
    private final CpuSet claimed;
    private final List<Conflict> conflicts;
    private final List<String> notes;
    private final String ownerToken;

    private CpuClaims(
        final Path directory,
        final List<Path> ownedFiles,
        final CpuSet claimed,
        final List<Conflict> conflicts,
        final List<String> notes,
        final String ownerToken)
    {
        this.directory = directory;
        this.ownedFiles = ownedFiles;
        this.claimed = claimed;
        this.conflicts = List.copyOf(conflicts);
        this.notes = List.copyOf(notes);
        this.ownerToken = ownerToken;
    }

    /**
     * {@return the directory named by {@value #LOCK_DIR_PROP_NAME}, else {@value #LOCK_DIR_DEFAULT} when /run/lock is
     * writable, else the tmpdir fallback}
     */
    public static Path defaultDirectory()
    {
        final String configured = System.getProperty(LOCK_DIR_PROP_NAME);
        if (configured != null && !configured.isBlank())
        {
            return Path.of(configured);
        }
        final Path runLock = Path.of("/run/lock");
        if (Files.isDirectory(runLock) && Files.isWritable(runLock))
        {
            return Path.of(LOCK_DIR_DEFAULT);
        }
        return Path.of(System.getProperty("java.io.tmpdir"), LOCK_DIR_FALLBACK_NAME);
    }

    /**
     * Claims CPUs for roles.
     *
     * @param directory the shared claim directory (created world-writable when missing).
     * @param cpuRoles  CPU to the role that will run there.
     * @return the claims made and the conflicts met; never throws for a conflict.
     * @throws PinningException when the directory cannot be created or written.
     */
    public static CpuClaims claim(final Path directory, final Map<Integer, String> cpuRoles)
    {
        final ProcessHandle self = ProcessHandle.current();
        final String ownerToken = "pid=" + self.pid() + "\nstart=" + startMillis(self);
        final List<Path> owned = new ArrayList<>();
        final BitSet claimed = new BitSet();
        final List<Conflict> conflicts = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        try
        {
            if (!Files.isDirectory(directory))
            {
                Files.createDirectories(directory);
                try
                {
                    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
                }
                catch (final UnsupportedOperationException | IOException ex)
                {
                    notes.add("could not make " + directory + " writable for all users: " + ex.getMessage());
                }
            }
            for (final Map.Entry<Integer, String> entry : cpuRoles.entrySet())
            {
                final int cpu = entry.getKey();
                final String role = entry.getValue();
                final Path file = directory.resolve("cpu-" + cpu + ".lock");
                final String content = ownerToken + "\nrole=" + role + "\nsince=" + Instant.now() + "\n";
                Conflict conflict = null;
                for (int attempt = 0; attempt < 2; attempt++)
                {
                    if (create(directory, file, content))
                    {
                        owned.add(file);
                        claimed.set(cpu);
                        conflict = null;
                        break;
                    }
                    final String existing = read(file);
                    if (existing == null)
                    {
                        continue;
                    }
                    final long ownerPid = longField(existing, "pid");
                    final long ownerStart = longField(existing, "start");
                    if (isAlive(ownerPid, ownerStart))
                    {
                        conflict = new Conflict(cpu, role, ownerPid, stringField(existing, "role"), file);
                        break;
                    }
                    notes.add("took over stale claim of CPU " + cpu + " by PID " + ownerPid + " (" + file + ")");
                    if (existing.equals(read(file)))
                    {
                        Files.deleteIfExists(file);
                    }
                }
                if (conflict != null)
                {
                    conflicts.add(conflict);
                }
                else if (!claimed.get(cpu))
                {
                    notes.add("could not claim CPU " + cpu + ": " + file + " kept changing while it was read");
                }
            }
        }
        catch (final IOException ex)
        {
            releaseFiles(owned, ownerToken);
            throw new PinningException("cannot claim CPUs in " + directory + " (set -D" + LOCK_DIR_PROP_NAME +
                " to a writable directory): " + ex, ex);
        }
        return new CpuClaims(directory, owned, CpuSet.of(claimed), conflicts, notes, ownerToken);
    }

    /** {@return the claim directory} */
    public Path directory()
    {
        return directory;
    }

    /** {@return the CPUs this instance holds} */
    public CpuSet claimed()
    {
        return claimed;
    }

    /** {@return the CPUs held by someone else} */
    public List<Conflict> conflicts()
    {
        return conflicts;
    }

    /** {@return informational lines (stale claims taken over, permission problems)} */
    public List<String> notes()
    {
        return notes;
    }

    /** Deletes the claim files this instance created, if they still name this process. Idempotent. */
    @Override
    public void close()
    {
        synchronized (ownedFiles)
        {
            releaseFiles(ownedFiles, ownerToken);
            ownedFiles.clear();
        }
    }

    private static void releaseFiles(final List<Path> files, final String ownerToken)
    {
        for (final Path file : files)
        {
            final String content = read(file);
            if (content != null && content.startsWith(ownerToken + "\n"))
            {
                try
                {
                    Files.deleteIfExists(file);
                }
                catch (final IOException ignore)
                {
                    // Left behind: the next claimant sees a stale claim and takes it over.
                }
            }
        }
    }

    private static boolean create(final Path directory, final Path file, final String content) throws IOException
    {
        final Path temp = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
        try
        {
            Files.write(temp, content.getBytes(StandardCharsets.UTF_8));
            try
            {
                Files.createLink(file, temp);
                return true;
            }
            catch (final FileAlreadyExistsException ex)
            {
                return false;
            }
            catch (final UnsupportedOperationException ex)
            {
                try
                {
                    Files.write(file, content.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                    return true;
                }
                catch (final FileAlreadyExistsException exists)
                {
                    return false;
                }
            }
        }
        finally
        {
            Files.deleteIfExists(temp);
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private static boolean isAlive(final long pid, final long startMillis)
    {
        if (pid <= 0)
        {
            return false;
        }
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive())
        {
            return false;
        }
        // A recycled PID belongs to a process that started at another time.
        return startMillis <= 0 || startMillis(handle.get()) <= 0 || startMillis(handle.get()) == startMillis;
    }

    private static long startMillis(final ProcessHandle handle)
    {
        return handle.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    }

    private static long longField(final String content, final String name)
    {
        try
        {
            return Long.parseLong(stringField(content, name));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private static String stringField(final String content, final String name)
    {
        for (final String line : content.split("\n"))
        {
            if (line.startsWith(name + "="))
            {
                return line.substring(name.length() + 1).trim();
            }
        }
        return "";
    }

    @Override
    public String toString()
    {
        return "CpuClaims{" + directory + ", claimed=" + claimed + ", conflicts=" + Collections.unmodifiableList(conflicts) + '}';
    }
}
