package dev.coreloop.affinity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuClaimsTest
{
    private static final long SELF = 1000;
    private static final long OTHER = 2000;

    @TempDir
    Path tmp;

    /** PID to start time; a PID not in the map is gone. */
    private final Map<Long, Long> processes = new HashMap<>(Map.of(SELF, 500L));
    private final ProcessProbe probe = pid -> processes.getOrDefault(pid, ProcessProbe.GONE);

    private static Map<Integer, String> roles(final int... cpus)
    {
        final Map<Integer, String> roles = new TreeMap<>();
        for (int i = 0; i < cpus.length; i++)
        {
            roles.put(cpus[i], "reactor-" + i);
        }
        return roles;
    }

    private CpuClaims claim(final Path dir, final long pid, final int... cpus)
    {
        return CpuClaims.claim(dir, roles(cpus), probe, pid);
    }

    @Test
    void shouldWriteOwnerPidStartTimeAndRoleAndDeleteOnClose() throws IOException
    {
        final Path dir = tmp.resolve("claims");
        final Path file = dir.resolve("cpu-3.lock");
        try (CpuClaims claims = claim(dir, SELF, 3))
        {
            assertThat(claims.claimed()).isEqualTo(CpuSet.of(3));
            assertThat(claims.conflicts()).isEmpty();
            assertThat(claims.notes()).isEmpty();
            final String content = Files.readString(file);
            assertThat(content).startsWith("pid=1000\nstarttime=500\n");
            assertThat(content).contains("\nrole=reactor-0\n").contains("\nsince=");
        }
        assertThat(file).doesNotExist();
        try (var files = Files.list(dir))
        {
            assertThat(files.filter(f -> !f.getFileName().toString().equals(CpuClaims.TAKEOVER_LOCK_NAME))).isEmpty();
        }
    }

    @Test
    void shouldCreateTheDirectoryStickyAndWritableByAllAndTheFilesReadableByAll() throws IOException
    {
        final Path dir = tmp.resolve("new/claims");
        try (CpuClaims claims = claim(dir, SELF, 1))
        {
            assertThat(CpuClaims.mode(dir) & 07777).isEqualTo(01777);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("cpu-1.lock"))))
                .isEqualTo("rw-r--r--");
            assertThat(claims.notes()).isEmpty();
        }
    }

    @Test
    void shouldKeepTheFilesReadableByAllUnderARestrictiveUmaskAndTakeOverLockWritableByAll() throws IOException
    {
        Files.writeString(tmp.resolve("cpu-4.lock"), "pid=77\nstarttime=9\nrole=reactor-0\nsince=x\n");
        try (CpuClaims claims = claim(tmp, SELF, 4))
        {
            assertThat(claims.claimed()).isEqualTo(CpuSet.of(4));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("cpu-4.lock"))))
                .isEqualTo("rw-r--r--");
            assertThat(PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve(CpuClaims.TAKEOVER_LOCK_NAME)))).isEqualTo("rw-rw-rw-");
        }
    }

    @Test
    void shouldNoteAnExistingDirectoryWritableByAllWithoutTheStickyBit() throws IOException
    {
        final Path dir = Files.createDirectory(tmp.resolve("open"));
        Files.setAttribute(dir, "unix:mode", 0777);
        try (CpuClaims claims = claim(dir, SELF, 0))
        {
            assertThat(claims.claimed()).isEqualTo(CpuSet.of(0));
            assertThat(claims.notes()).containsExactly(dir + " is writable by all users without the sticky bit: " +
                "another user can delete or replace these claims; fix: chmod +t " + dir);
        }
        Files.setAttribute(dir, "unix:mode", 01777);
        try (CpuClaims claims = claim(dir, SELF, 0))
        {
            assertThat(claims.notes()).isEmpty();
        }
    }

    @Test
    void shouldTakeOverClaimOfADeadProcess() throws IOException
    {
        Files.writeString(tmp.resolve("cpu-1.lock"), "pid=" + OTHER + "\nstarttime=1\nrole=reactor-7\nsince=x\n");

        try (CpuClaims claims = claim(tmp, SELF, 1))
        {
            assertThat(claims.claimed()).isEqualTo(CpuSet.of(1));
            assertThat(claims.conflicts()).isEmpty();
            assertThat(claims.notes()).containsExactly(
                "took over stale claim of CPU 1 by PID 2000 (" + tmp.resolve("cpu-1.lock") + ")");
            assertThat(Files.readString(tmp.resolve("cpu-1.lock"))).startsWith("pid=1000\nstarttime=500\n");
        }
    }

    @Test
    void shouldTakeOverClaimWhosePidWasReusedByAProcessWithAnotherStartTime() throws IOException
    {
        processes.put(OTHER, 900L);
        Files.writeString(tmp.resolve("cpu-2.lock"), "pid=" + OTHER + "\nstarttime=100\nrole=reactor-0\nsince=x\n");

        try (CpuClaims claims = claim(tmp, SELF, 2))
        {
            assertThat(claims.claimed()).isEqualTo(CpuSet.of(2));
            assertThat(claims.conflicts()).isEmpty();
            assertThat(claims.notes()).hasSize(1);
        }
    }

    @Test
    void shouldNeverTakeOverALiveClaimOfAnotherProcess() throws IOException
    {
        processes.put(OTHER, 900L);
        final String live = "pid=" + OTHER + "\nstarttime=900\nrole=reactor-5\nsince=x\n";
        Files.writeString(tmp.resolve("cpu-2.lock"), live);

        try (CpuClaims claims = claim(tmp, SELF, 2, 3))
        {
            assertThat(claims.claimed()).isEqualTo(CpuSet.of(3));
            assertThat(claims.conflicts()).containsExactly(
                new CpuClaims.Conflict(2, "reactor-0", OTHER, "reactor-5", tmp.resolve("cpu-2.lock")));
            assertThat(claims.notes()).isEmpty();
        }
        assertThat(Files.readString(tmp.resolve("cpu-2.lock"))).isEqualTo(live);
    }

    @Test
    void shouldKeepAClaimWithoutStartTimeWhilePidIsAliveAndTakeItOverOnceGone() throws IOException
    {
        // Written by an older coreloop: no starttime, so a live PID may be the owner.
        processes.put(OTHER, 900L);
        Files.writeString(tmp.resolve("cpu-6.lock"), "pid=" + OTHER + "\nstart=1\nrole=reactor-0\nsince=x\n");
        try (CpuClaims claims = claim(tmp, SELF, 6))
        {
            assertThat(claims.claimed().isEmpty()).isTrue();
            assertThat(claims.conflicts()).hasSize(1);
        }
        processes.remove(OTHER);
        try (CpuClaims claims = claim(tmp, SELF, 6))
        {
            assertThat(claims.claimed()).isEqualTo(CpuSet.of(6));
        }
    }

    @Test
    void shouldKeepALiveClaimWhenTheOwnersStartTimeCannotBeRead() throws IOException
    {
        processes.put(OTHER, 0L); // alive, /proc/<pid>/stat unreadable (hidepid)
        Files.writeString(tmp.resolve("cpu-2.lock"), "pid=" + OTHER + "\nstarttime=900\nrole=reactor-0\nsince=x\n");
        try (CpuClaims claims = claim(tmp, SELF, 2))
        {
            assertThat(claims.conflicts()).hasSize(1);
        }
    }

    @Test
    void shouldReportAnotherPlanOfThisProcessAndKeepItsFile() throws IOException
    {
        try (CpuClaims first = claim(tmp, SELF, 0, 1))
        {
            final CpuClaims second = claim(tmp, SELF, 1, 2);
            assertThat(second.claimed()).isEqualTo(CpuSet.of(2));
            assertThat(second.conflicts()).hasSize(1);
            final CpuClaims.Conflict conflict = second.conflicts().get(0);
            assertThat(conflict.cpu()).isEqualTo(1);
            assertThat(conflict.role()).isEqualTo("reactor-0");
            assertThat(conflict.ownerPid()).isEqualTo(SELF);
            assertThat(conflict.ownerRole()).isEqualTo("reactor-1");

            second.close();
            assertThat(tmp.resolve("cpu-1.lock")).exists();
            assertThat(tmp.resolve("cpu-2.lock")).doesNotExist();
            assertThat(first.claimed()).isEqualTo(CpuSet.of(0, 1));
        }
    }

    @Test
    void shouldNotDeleteOnCloseAFileThatNoLongerNamesThisProcess() throws IOException
    {
        final Path file = tmp.resolve("cpu-0.lock");
        final CpuClaims claims = claim(tmp, SELF, 0);
        Files.delete(file);
        final String other = "pid=" + OTHER + "\nstarttime=900\nrole=reactor-0\nsince=x\n";
        Files.writeString(file, other);
        claims.close();
        assertThat(Files.readString(file)).isEqualTo(other);
    }

    @Test
    void shouldUseTheConfiguredDirectoryThenRuntimeDirectoryThenTheDefault()
    {
        assertThat(CpuClaims.defaultDirectory("/srv/claims", Map.of("RUNTIME_DIRECTORY", "/run/coreloop")))
            .isEqualTo(Path.of("/srv/claims"));
        assertThat(CpuClaims.defaultDirectory(null, Map.of("RUNTIME_DIRECTORY", "/run/coreloop:/run/other")))
            .isEqualTo(Path.of("/run/coreloop"));
        assertThat(CpuClaims.defaultDirectory(" ", Map.of("RUNTIME_DIRECTORY", "/run/coreloop")))
            .isEqualTo(Path.of("/run/coreloop"));
        assertThat(CpuClaims.defaultDirectory(null, Map.of())).isIn(Path.of(CpuClaims.LOCK_DIR_DEFAULT),
            Path.of(System.getProperty("java.io.tmpdir"), CpuClaims.LOCK_DIR_FALLBACK_NAME));
    }

    @Test
    void shouldReadStartTimeFromProcStatEvenWithSpacesAndParenthesesInTheName()
    {
        final String stat = "4711 (my (odd) name) S 1 4711 4711 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 " +
            "1000 10 18446744073709551615";
        assertThat(ProcessProbe.parseStartTime(stat)).isEqualTo(123456);
        assertThat(ProcessProbe.parseStartTime(stat.replace(") S ", ") Z "))).isEqualTo(ProcessProbe.GONE);
        assertThat(ProcessProbe.parseStartTime("garbage")).isZero();
    }

    @Test
    void shouldProbeThisProcessAsAliveWithAStableStartTimeAndAnAbsentPidAsGone() throws IOException
    {
        final Path proc = tmp.resolve("proc");
        Files.createDirectories(proc.resolve("42"));
        Files.writeString(proc.resolve("42/stat"),
            "42 (java) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 30 0 777 0 0 0\n");
        final ProcessProbe fixture = ProcessProbe.procfs(proc);
        assertThat(fixture.startTime(42)).isEqualTo(777);
        assertThat(fixture.startTime(43)).isEqualTo(ProcessProbe.GONE);

        final ProcessProbe system = ProcessProbe.system();
        final long self = ProcessHandle.current().pid();
        assertThat(system.startTime(self)).isPositive().isEqualTo(system.startTime(self));
        assertThat(system.startTime(99_999_999)).isEqualTo(ProcessProbe.GONE);
    }
}
