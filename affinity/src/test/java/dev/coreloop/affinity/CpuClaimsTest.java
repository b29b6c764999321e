package dev.coreloop.affinity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuClaimsTest
{
    @TempDir
    Path dir;

    private static Map<Integer, String> roles(final int... cpus)
    {
        final Map<Integer, String> roles = new TreeMap<>();
        for (int i = 0; i < cpus.length; i++)
        {
            roles.put(cpus[i], "reactor-" + i);
        }
        return roles;
    }

    @Test
    void shouldWriteOwnerPidAndRoleAndDeleteOnClose() throws IOException
    {
        final Path file = dir.resolve("cpu-3.lock");
        try (CpuClaims claims = CpuClaims.claim(dir, roles(3)))
        {
            assertThat(claims.claimed()).isEqualTo(CpuSet.of(3));
            assertThat(claims.conflicts()).isEmpty();
            final String content = Files.readString(file);
            assertThat(content).startsWith("pid=" + ProcessHandle.current().pid() + "\nstart=");
            assertThat(content).contains("\nrole=reactor-0\n").contains("\nsince=");
        }
        assertThat(file).doesNotExist();
        try (var files = Files.list(dir))
        {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void shouldTakeOverClaimOfADeadProcess() throws IOException
    {
        // PID above the kernel's pid_max ceiling (4194304): never alive.
        Files.writeString(dir.resolve("cpu-1.lock"), "pid=99999999\nstart=1\nrole=reactor-7\nsince=x\n");

        try (CpuClaims claims = CpuClaims.claim(dir, roles(1)))
        {
            assertThat(claims.claimed()).isEqualTo(CpuSet.of(1));
            assertThat(claims.conflicts()).isEmpty();
            assertThat(claims.notes()).containsExactly(
                "took over stale claim of CPU 1 by PID 99999999 (" + dir.resolve("cpu-1.lock") + ")");
        }
    }

    @Test
    void shouldTakeOverClaimWhosePidWasRecycled() throws IOException
    {
        // Our own PID, but a start time that is not ours: the claimant died and its PID was reused.
        Files.writeString(dir.resolve("cpu-2.lock"),
            "pid=" + ProcessHandle.current().pid() + "\nstart=1\nrole=reactor-0\nsince=x\n");

        try (CpuClaims claims = CpuClaims.claim(dir, roles(2)))
        {
            assertThat(claims.claimed()).isEqualTo(CpuSet.of(2));
            assertThat(claims.notes()).hasSize(1);
        }
    }

    @Test
    void shouldReportALiveOwnerAndKeepItsFile() throws IOException
    {
        try (CpuClaims first = CpuClaims.claim(dir, roles(0, 1)))
        {
            final CpuClaims second = CpuClaims.claim(dir, roles(1, 2));
            assertThat(second.claimed()).isEqualTo(CpuSet.of(2));
            assertThat(second.conflicts()).hasSize(1);
            final CpuClaims.Conflict conflict = second.conflicts().get(0);
            assertThat(conflict.cpu()).isEqualTo(1);
            assertThat(conflict.role()).isEqualTo("reactor-0");
            assertThat(conflict.ownerPid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(conflict.ownerRole()).isEqualTo("reactor-1");

            second.close();
            assertThat(dir.resolve("cpu-1.lock")).exists();
            assertThat(dir.resolve("cpu-2.lock")).doesNotExist();
            assertThat(first.claimed()).isEqualTo(CpuSet.of(0, 1));
        }
    }
}
