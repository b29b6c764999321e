package dev.coreloop.affinity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims on CPUs shared by every coreloop server on a machine, so that two servers pinning reactors to the same
 * CPUs are detected. Each claimed CPU is a file {@code cpu-<N>.lock} in a shared directory holding the owner's PID,
 * the owner's process start time ({@link ProcessProbe}: {@code starttime} of {@code /proc/<pid>/stat}), the role
 * and the time of the claim.
 *
 * <p><b>Claiming.</b> A claim file is created atomically: written to a temporary file, then hard-linked to its name,
 * which fails if the name exists, so of two processes claiming a free CPU exactly one wins. When the file exists,
 * its owner is checked: if that PID is alive and has the recorded start time, the claim is <em>live</em> and is never
 * taken over (a conflict is reported instead). If the PID is gone, is a zombie, or was reused by a process with another
 * start time, the claim is <em>stale</em>: it is removed and claimed again, logged and noted. Take-overs are
 * serialised by an exclusive lock ({@link FileChannel#lock()}) on {@value #TAKEOVER_LOCK_NAME} in the directory,
 * and the stale content is re-read under that lock, so two processes taking over the same stale claim cannot both
 * win. A claim file without a start time (written by an older coreloop) whose PID is alive counts as live.
 *
 * <p><b>Permissions.</b> Claim files are mode 0644: every user can read who holds a CPU, only the owner can write
 * them. A directory this class creates gets mode 1777, as {@code /tmp}: every user may add claims, and the sticky bit
 * stops anyone but a file's owner (and root) from deleting or renaming it, so another user can neither remove nor
 * replace a live claim. A directory that exists is used as it is; if it is writable by all without the sticky bit,
 * that is noted (fix: {@code chmod +t DIR}). A consequence of the sticky bit: a stale claim left by another user
 * (a crashed server of another account) cannot be taken over; it is noted with the {@code rm} that clears it, and the
 * CPU is pinned unclaimed.
 *
 * <p><b>Directory.</b> {@link #defaultDirectory()}: the system property {@value #LOCK_DIR_PROP_NAME}, else
 * {@code $RUNTIME_DIRECTORY} (systemd's {@code RuntimeDirectory=coreloop} gives {@code /run/coreloop}, writable even
 * under {@code ProtectSystem=strict} and shared across {@code PrivateTmp=} units), else {@value #LOCK_DIR_DEFAULT}
 * when {@code /run/lock} is writable, else a directory under {@code java.io.tmpdir}.
 *
 * <p>{@link #close()} deletes the files this instance created (only if they still name this process). A server
 * killed with SIGKILL leaves its files behind; the next claimant sees them as stale.
 *
 * <p>Limits: processes in different PID namespaces (containers) see each other's PIDs as absent, so the directory
 * must only be shared between servers of one PID namespace, or the container must share the host's PID namespace.
 *
 * <p><b>Threading:</b> {@link #claim} and {@link #close()} from one thread (the one building the pinner); the
 * accessors from any thread after construction. Take-overs in one JVM are also serialised by a monitor, since a file
 * lock is held per process, not per thread.
 */
public final class CpuClaims implements AutoCloseable
{
    /** System property naming the claim directory. */
    public static final String LOCK_DIR_PROP_NAME = "coreloop.cpu.lock.dir";
    /** Environment variable systemd sets for {@code RuntimeDirectory=}; its first entry is the claim directory. */
    public static final String RUNTIME_DIRECTORY_ENV_NAME = "RUNTIME_DIRECTORY";
    /** The claim directory used when {@code /run/lock} exists and is writable. */
    public static final String LOCK_DIR_DEFAULT = "/run/lock/coreloop";
    /** The fallback claim directory (under {@code java.io.tmpdir}) when {@code /run/lock} is not usable. */
    public static final String LOCK_DIR_FALLBACK_NAME = "coreloop-cpu-locks";
    /** The file whose exclusive lock serialises take-overs of stale claims. */
    public static final String TAKEOVER_LOCK_NAME = ".takeover.lock";
    /** Mode of a directory this class creates: rwxrwxrwt. */
    public static final int DIRECTORY_MODE = 01777;
    /** Mode of a claim file: rw-r--r--. */
    public static final String FILE_PERMISSIONS = "rw-r--r--";

    private static final Logger LOG = LoggerFactory.getLogger(CpuClaims.class);
    private static final int STICKY_BIT = 01000;
    private static final int OTHERS_WRITE = 00002;
    private static final int ATTEMPTS = 4;
    /** A FileChannel lock is held by the process; this keeps two threads of one JVM from both asking for it. */
    private static final Object TAKEOVER_MONITOR = new Object();

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

    /** The outcome of claiming one CPU. */
    private enum Outcome
    {
        CLAIMED, CONFLICT, BLOCKED
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
     * {@return the directory named by {@value #LOCK_DIR_PROP_NAME}, else {@code $RUNTIME_DIRECTORY}, else
     * {@value #LOCK_DIR_DEFAULT} when /run/lock is writable, else the tmpdir fallback}
     */
    public static Path defaultDirectory()
    {
        return defaultDirectory(System.getProperty(LOCK_DIR_PROP_NAME), System.getenv());
    }

    /**
     * {@return the claim directory for this configuration: {@code configured} when not blank, else the first entry of
     * {@code $RUNTIME_DIRECTORY}, else {@value #LOCK_DIR_DEFAULT} when /run/lock is writable, else the tmpdir
     * fallback}
     *
     * @param configured the value of {@value #LOCK_DIR_PROP_NAME} (or a launcher setting), or null.
     * @param env        the environment ({@code System.getenv()}).
     */
    public static Path defaultDirectory(final String configured, final Map<String, String> env)
    {
        if (configured != null && !configured.isBlank())
        {
            return Path.of(configured);
        }
        final String runtime = env.get(RUNTIME_DIRECTORY_ENV_NAME);
        if (runtime != null && !runtime.isBlank())
        {
            // systemd lists one directory per RuntimeDirectory= entry, separated by ':'.
            final int colon = runtime.indexOf(':');
            return Path.of(colon < 0 ? runtime : runtime.substring(0, colon));
        }
        final Path runLock = Path.of("/run/lock");
        if (Files.isDirectory(runLock) && Files.isWritable(runLock))
        {
            return Path.of(LOCK_DIR_DEFAULT);
        }
        return Path.of(System.getProperty("java.io.tmpdir"), LOCK_DIR_FALLBACK_NAME);
    }

    /**
     * Claims CPUs for roles, as this process.
     *
     * @param directory the shared claim directory (created with mode 1777 when missing).
     * @param cpuRoles  CPU to the role that will run there.
     * @return the claims made and the conflicts met; never throws for a conflict.
     * @throws PinningException when the directory cannot be created or written.
     */
    public static CpuClaims claim(final Path directory, final Map<Integer, String> cpuRoles)
    {
        return claim(directory, cpuRoles, ProcessProbe.system(), ProcessHandle.current().pid());
    }

    /**
     * Claims CPUs for roles, as the process {@code selfPid} seen through {@code probe} (tests fake both).
     *
     * @param directory the shared claim directory (created with mode 1777 when missing).
     * @param cpuRoles  CPU to the role that will run there.
     * @param probe     tells live owners from stale ones.
     * @param selfPid   the PID recorded as owner.
     * @return the claims made and the conflicts met; never throws for a conflict.
     * @throws PinningException when the directory cannot be created or written.
     */
    static CpuClaims claim(final Path directory, final Map<Integer, String> cpuRoles, final ProcessProbe probe,
        final long selfPid)
    {
        final String ownerToken = "pid=" + selfPid + "\nstarttime=" + probe.startTime(selfPid);
        final List<Path> owned = new ArrayList<>();
        final BitSet claimed = new BitSet();
        final List<Conflict> conflicts = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        try
        {
            prepareDirectory(directory, notes);
            for (final Map.Entry<Integer, String> entry : cpuRoles.entrySet())
            {
                final int cpu = entry.getKey();
                final String role = entry.getValue();
                final Path file = directory.resolve("cpu-" + cpu + ".lock");
                final String content = ownerToken + "\nrole=" + role + "\nsince=" + Instant.now() + "\n";
                final Outcome outcome = claimOne(directory, file, cpu, role, content, probe, notes, conflicts);
                if (outcome == Outcome.CLAIMED)
                {
                    owned.add(file);
                    claimed.set(cpu);
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

    private static Outcome claimOne(final Path directory, final Path file, final int cpu, final String role,
        final String content, final ProcessProbe probe, final List<String> notes, final List<Conflict> conflicts)
        throws IOException
    {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++)
        {
            if (create(directory, file, content))
            {
                return Outcome.CLAIMED;
            }
            final String existing = read(file);
            if (existing == null)
            {
                continue; // released between our link and our read: try again
            }
            final long ownerPid = longField(existing, "pid");
            if (isLive(ownerPid, existing, probe))
            {
                conflicts.add(new Conflict(cpu, role, ownerPid, stringField(existing, "role"), file));
                return Outcome.CONFLICT;
            }
            final String problem = takeOver(directory, file, existing, content);
            if (problem == null)
            {
                final String note = "took over stale claim of CPU " + cpu + " by PID " + ownerPid + " (" + file + ")";
                LOG.warn("cpu claims: {}: that process {}", note, probe.startTime(ownerPid) == ProcessProbe.GONE ?
                    "is gone" : "has another start time (its PID was reused)");
                notes.add(note);
                return Outcome.CLAIMED;
            }
            if (!problem.isEmpty())
            {
                LOG.warn("cpu claims: {}", problem);
                notes.add(problem);
                return Outcome.BLOCKED;
            }
            // Empty: the file changed while we looked (released, or claimed by someone else): look again.
        }
        notes.add("could not claim CPU " + cpu + ": " + file + " kept changing while it was read");
        return Outcome.BLOCKED;
    }

    /**
     * Replaces the stale claim {@code stale} with ours, under the directory's take-over lock.
     *
     * @return null when the CPU is now ours, empty when the file changed meanwhile (look again), else why the stale
     * claim cannot be removed.
     */
    private static String takeOver(final Path directory, final Path file, final String stale, final String content)
        throws IOException
    {
        synchronized (TAKEOVER_MONITOR)
        {
            try (FileChannel lockChannel = openTakeoverLock(directory);
                FileLock ignored = lockChannel.lock())
            {
                // Under the lock: whoever took this stale claim over before us has replaced it, so we see the change.
                if (!stale.equals(read(file)))
                {
                    return "";
                }
                try
                {
                    Files.deleteIfExists(file);
                }
                catch (final AccessDeniedException ex)
                {
                    return "cannot take over stale claim " + file + " (owned by another user; the directory's " +
                        "sticky bit protects it): the CPU is pinned unclaimed; remove it as that user or root: rm " +
                        file;
                }
                return create(directory, file, content) ? null : "";
            }
        }
    }

    private static FileChannel openTakeoverLock(final Path directory) throws IOException
    {
        final Path lockFile = directory.resolve(TAKEOVER_LOCK_NAME);
        try
        {
            final FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
            // Every user who may claim must be able to lock it: rw-rw-rw- (a chmod is not masked by the umask).
            setPermissions(lockFile, "rw-rw-rw-");
            return channel;
        }
        catch (final FileAlreadyExistsException ex)
        {
            return FileChannel.open(lockFile, StandardOpenOption.WRITE);
        }
    }

    /** Creates the directory with mode 1777, or notes a shared directory that does not protect its files. */
    private static void prepareDirectory(final Path directory, final List<String> notes) throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            Files.createDirectories(directory);
            try
            {
                Files.setAttribute(directory, "unix:mode", DIRECTORY_MODE);
            }
            catch (final UnsupportedOperationException | IllegalArgumentException | IOException ex)
            {
                notes.add("could not set mode 1777 (writable by all, sticky) on " + directory + ": " + ex);
            }
            return;
        }
        final int mode = mode(directory);
        if (mode >= 0 && (mode & OTHERS_WRITE) != 0 && (mode & STICKY_BIT) == 0)
        {
            final String note = directory + " is writable by all users without the sticky bit: another user can " +
                "delete or replace these claims; fix: chmod +t " + directory;
            LOG.warn("cpu claims: {}", note);
            notes.add(note);
        }
    }

    /** {@return the file's mode bits including setuid, setgid and sticky, or -1 when the file system does not say} */
    static int mode(final Path path)
    {
        try
        {
            return (Integer)Files.getAttribute(path, "unix:mode");
        }
        catch (final UnsupportedOperationException | IllegalArgumentException | IOException ex)
        {
            return -1;
        }
    }

    private static boolean isLive(final long pid, final String claim, final ProcessProbe probe)
    {
        if (pid <= 0)
        {
            return false;
        }
        final long startTime = probe.startTime(pid);
        if (startTime == ProcessProbe.GONE)
        {
            return false;
        }
        final long recorded = longField(claim, "starttime");
        // An unknown start time on either side (an older claim file, an unreadable /proc entry): the PID is alive and
        // might be the owner, so the claim is kept. Otherwise a different start time means the PID was reused.
        return recorded <= 0 || startTime <= 0 || startTime == recorded;
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
            // createTempFile makes rw-------: readable by all, written only by the owner (chmod ignores the umask).
            setPermissions(temp, FILE_PERMISSIONS);
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
                    setPermissions(file, FILE_PERMISSIONS);
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

    private static void setPermissions(final Path file, final String permissions) throws IOException
    {
        try
        {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        }
        catch (final UnsupportedOperationException ex)
        {
            // Not a POSIX file system (Windows): its ACLs apply.
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
