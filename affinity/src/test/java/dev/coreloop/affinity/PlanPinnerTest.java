package dev.coreloop.affinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanPinnerTest
{
    @TempDir
    Path claimDir;

    private static ResolvedPlan desktopPlan(final String spec)
    {
        return PinningPlan.parse(spec).resolve(Fixtures.topology(Fixtures.DESKTOP));
    }

    @Test
    void shouldPinVerifyAndRecordEachRole()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        try (PlanPinner pinner = new PlanPinner(desktopPlan("reactors=2"), PinMode.STRICT, backend, claimDir))
        {
            final PinResult acceptor = pinner.pinCurrentThread("acceptor");
            final PinResult reactor = pinner.pinCurrentThread("reactor-1");

            assertThat(acceptor).isEqualTo(new PinResult("acceptor", "0,4", "0,4", PinResult.Status.PINNED));
            assertThat(reactor).isEqualTo(new PinResult("reactor-1", "2", "2", PinResult.Status.PINNED));
            assertThat(backend.mask).isEqualTo(CpuSet.of(2));
            assertThat(pinner.plannedReactorCount()).isEqualTo(2);
            final List<PinCounters> counters = pinner.counters();
            assertThat(counters).extracting(PinCounters::role).containsExactly("acceptor", "reactor-0", "reactor-1");
            assertThat(counters.get(1).status()).isNull();
            assertThat(counters.get(2).status()).isEqualTo(PinResult.Status.PINNED);
            assertThat(counters.get(2).threadId()).isEqualTo(4242);
        }
    }

    @Test
    void shouldResetRolesOutsideThePlanToTheAllowedSet()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.of(3));
        try (PlanPinner pinner = new PlanPinner(desktopPlan("reactors=2"), PinMode.STRICT, backend, null))
        {
            final PinResult helper = pinner.pinCurrentThread("metrics-1");

            assertThat(helper).isEqualTo(new PinResult("metrics-1", "", "0-7", PinResult.Status.UNPINNED));
            assertThat(backend.mask).isEqualTo(CpuSet.parse("0-7"));
            assertThat(pinner.counters()).extracting(PinCounters::role).endsWith("metrics-1");
        }
    }

    @Test
    void shouldFailStrictModeWhenKernelViewDiffers()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        backend.kernelOverride = CpuSet.parse("0-7");
        try (PlanPinner pinner = new PlanPinner(desktopPlan("reactors=2"), PinMode.STRICT, backend, null))
        {
            assertThatThrownBy(() -> pinner.pinCurrentThread("reactor-0"))
                .isInstanceOf(PinningException.class)
                .hasMessage("mode=strict: reactor-0: planned CPUs 1 but sched_getaffinity reports 1 and " +
                    "/proc/self/task/4242/status Cpus_allowed_list 0-7");
            assertThat(pinner.counters().get(1).status()).isEqualTo(PinResult.Status.MISMATCH);
        }
    }

    @Test
    void shouldRecordMismatchAndCarryOnInBestEffortMode()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        backend.readBackOverride = CpuSet.parse("1-2");
        backend.hasProcfs = false;
        try (PlanPinner pinner = new PlanPinner(desktopPlan("reactors=2"), PinMode.BEST_EFFORT, backend, null))
        {
            final PinResult result = pinner.pinCurrentThread("reactor-0");

            assertThat(result).isEqualTo(new PinResult("reactor-0", "1", "1-2", PinResult.Status.MISMATCH));
            assertThat(pinner.report()).contains("reactor-0").contains("NO").contains("MISMATCH");
        }
    }

    @Test
    void shouldReportRefusedPinAsFailed()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        backend.refuseWith = new IllegalStateException("sched_setaffinity failed; errno=22");
        try (PlanPinner best = new PlanPinner(desktopPlan("reactors=2"), PinMode.BEST_EFFORT, backend, null);
            PlanPinner strict = new PlanPinner(desktopPlan("reactors=2"), PinMode.STRICT, backend, null))
        {
            assertThat(best.pinCurrentThread("reactor-0"))
                .isEqualTo(new PinResult("reactor-0", "1", "0-7", PinResult.Status.FAILED));
            assertThatThrownBy(() -> strict.pinCurrentThread("reactor-0"))
                .isInstanceOf(PinningException.class)
                .hasMessage("mode=strict: reactor-0: sched_setaffinity to CPUs 1 failed: " +
                    "sched_setaffinity failed; errno=22");
        }
    }

    @Test
    void shouldPinNothingWhenOff()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        try (PlanPinner pinner = new PlanPinner(desktopPlan("reactors=2"), PinMode.OFF, backend, claimDir))
        {
            assertThat(pinner.pinCurrentThread("reactor-0"))
                .isEqualTo(new PinResult("reactor-0", "1", "", PinResult.Status.UNPINNED));
            assertThat(backend.setCalls).isZero();
            assertThat(pinner.claims()).isNull();
            assertThat(pinner.report()).contains("(unpinned)");
        }
    }

    @Test
    void shouldRunUnpinnedOrRefuseWhenTheBackendCannotPin()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        backend.supported = false;
        try (PlanPinner pinner = new PlanPinner(desktopPlan("reactors=2"), PinMode.BEST_EFFORT, backend, null))
        {
            assertThat(pinner.pinCurrentThread("reactor-0").status()).isEqualTo(PinResult.Status.UNPINNED);
            assertThat(pinner.warnings()).contains("this OS or JVM cannot pin threads: running unpinned");
        }
        assertThatThrownBy(() -> new PlanPinner(desktopPlan("reactors=2"), PinMode.STRICT, backend, null))
            .isInstanceOf(PinningException.class)
            .hasMessageStartingWith("mode=strict: this OS or JVM cannot pin threads");
    }

    @Test
    void shouldCountCpuMigrations()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        backend.cpuSequence = new int[] { 1, 1, 3, 3, 1, 1 };
        try (PlanPinner pinner = new PlanPinner(desktopPlan("reactors=2"), PinMode.BEST_EFFORT, backend, null))
        {
            for (int i = 0; i < 6; i++)
            {
                pinner.sampleCpu("reactor-0");
            }

            final PinCounters counters = pinner.counters().get(1);
            assertThat(counters.role()).isEqualTo("reactor-0");
            assertThat(counters.cpuSamples()).isEqualTo(6);
            assertThat(counters.migrations()).isEqualTo(2);
            assertThat(counters.lastCpu()).isEqualTo(1);
        }
    }

    @Test
    void shouldReportALostPinOnceAndLeaveItInBestEffortMode()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        backend.cpuSequence = new int[] { 1, 1, 5, 5, 1 };
        try (PlanPinner pinner = new PlanPinner(desktopPlan("reactors=2"), PinMode.BEST_EFFORT, backend, null))
        {
            pinner.pinCurrentThread("reactor-0");
            assertThat(pinner.samplePin("reactor-0")).isEqualTo(
                new PinSample(1, 1, PinResult.Status.PINNED, false, 0, 0, 0));

            backend.mask = CpuSet.parse("1,5");   // taskset -p, or the cpuset changed under the container
            final PinSample lost = pinner.samplePin("reactor-0");
            final PinSample stillLost = pinner.samplePin("reactor-0");

            assertThat(lost).isEqualTo(new PinSample(5, 1, PinResult.Status.PINNED, true, 1, 1, 0));
            assertThat(stillLost.lost()).isTrue();
            assertThat(stillLost.pinChanges()).isEqualTo(1);
            assertThat(backend.mask).isEqualTo(CpuSet.parse("1,5"));

            backend.mask = CpuSet.of(1);
            assertThat(pinner.samplePin("reactor-0")).isEqualTo(
                new PinSample(1, 1, PinResult.Status.PINNED, false, 2, 1, 0));
        }
    }

    @Test
    void shouldReapplyALostPinInStrictModeAndKeepReportingWhenItCannot()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        try (PlanPinner pinner = new PlanPinner(desktopPlan("reactors=2"), PinMode.STRICT, backend, null))
        {
            pinner.pinCurrentThread("reactor-1");
            backend.mask = CpuSet.parse("0-7");

            final PinSample restored = pinner.samplePin("reactor-1");

            assertThat(restored.lost()).isFalse();
            assertThat(restored.pinChanges()).isEqualTo(1);
            assertThat(restored.pinRestores()).isEqualTo(1);
            assertThat(backend.mask).isEqualTo(CpuSet.of(2));

            backend.mask = CpuSet.parse("0-1");   // the cpuset shrank: CPU 2 is gone
            backend.refuseWith = new IllegalStateException("EINVAL");
            final PinSample cannot = pinner.samplePin("reactor-1");
            final PinSample again = pinner.samplePin("reactor-1");

            assertThat(cannot.lost()).isTrue();
            assertThat(again.lost()).isTrue();
            assertThat(again.pinChanges()).isEqualTo(2);
            assertThat(again.pinRestores()).isEqualTo(1);
        }
    }

    @Test
    void shouldNotWatchAPinThatWasNeverVerified()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        backend.readBackOverride = CpuSet.parse("1-2");
        try (PlanPinner pinner = new PlanPinner(desktopPlan("reactors=2"), PinMode.BEST_EFFORT, backend, null))
        {
            pinner.pinCurrentThread("reactor-0");

            final PinSample sample = pinner.samplePin("reactor-0");

            assertThat(sample.startStatus()).isEqualTo(PinResult.Status.MISMATCH);
            assertThat(sample.lost()).isFalse();
            assertThat(ThreadPinner.unpinned().samplePin("reactor-0")).isSameAs(PinSample.NONE);
        }
    }

    @Test
    void shouldNotAllocateInSamplingBookkeeping()
    {
        final java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        final com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
            "thread allocation counter unsupported");
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        backend.cpuSequence = new int[] { 1, 3 };
        try (PlanPinner pinner = new PlanPinner(desktopPlan("reactors=2"), PinMode.BEST_EFFORT, backend, null))
        {
            final long threadId = Thread.currentThread().getId();
            for (int i = 0; i < 100_000; i++)
            {
                pinner.sampleCpu("reactor-0");
            }
            // JIT transitions (OSR, deoptimisation) can allocate once while the loop warms up; steady state is a
            // round of 100k samples that allocates nothing, so take the smallest of five rounds.
            long minBytes = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++)
            {
                final long beforeBytes = mx.getThreadAllocatedBytes(threadId);
                for (int i = 0; i < 100_000; i++)
                {
                    pinner.sampleCpu("reactor-0");
                }
                minBytes = Math.min(minBytes, mx.getThreadAllocatedBytes(threadId) - beforeBytes);
            }

            assertThat(minBytes).isZero();
            assertThat(pinner.counters().get(1).cpuSamples()).isEqualTo(600_000);
        }
    }

    @Test
    void shouldDetectASecondPlanClaimingTheSameCpus()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        try (PlanPinner first = new PlanPinner(desktopPlan("reactors=2"), PinMode.STRICT, backend, claimDir))
        {
            assertThat(first.claims().claimed()).isEqualTo(CpuSet.of(1, 2));

            assertThatThrownBy(() -> new PlanPinner(desktopPlan("reactors=3"), PinMode.STRICT, backend, claimDir))
                .isInstanceOf(PinningException.class)
                .hasMessage("mode=strict: CPU 1 (reactor-0) is already claimed by another plan in this process (PID " +
                    ProcessHandle.current().pid() + ") for reactor-0 (" + claimDir.resolve("cpu-1.lock") +
                    ") (and 1 more CPUs)");
            try (PlanPinner second = new PlanPinner(desktopPlan("reactors=3"), PinMode.BEST_EFFORT, backend, claimDir))
            {
                assertThat(second.claims().claimed()).isEqualTo(CpuSet.of(3));
                assertThat(second.claims().conflicts()).extracting(CpuClaims.Conflict::cpu).containsExactly(1, 2);
                assertThat(second.warnings()).anyMatch(w -> w.startsWith("CPU 2 (reactor-1) is already claimed"));
                assertThat(second.report()).contains("claims: CPUs 3 in " + claimDir);
            }
        }
        try (PlanPinner again = new PlanPinner(desktopPlan("reactors=3"), PinMode.STRICT, backend, claimDir))
        {
            assertThat(again.claims().claimed()).isEqualTo(CpuSet.of(1, 2, 3));
        }
    }

    @Test
    void shouldPrintTableAndWellFormedJson()
    {
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-7"));
        backend.cpuSequence = new int[] { 2, 2, 5 };
        try (PlanPinner pinner = new PlanPinner(
            desktopPlan("reactors=4 mode=strict"), PinMode.BEST_EFFORT, backend, null))
        {
            pinner.pinCurrentThread("acceptor");
            pinner.pinCurrentThread("reactor-1");
            pinner.sampleCpu("reactor-1");
            pinner.sampleCpu("reactor-1");
            pinner.pinCurrentThread("log \"writer\"");

            final String table = pinner.report();
            assertThat(table).contains("pinning: mode=best-effort spec='reactors=4 mode=strict' reactors=4");
            assertThat(table.lines().filter(l -> l.startsWith("role "))).hasSize(1);
            assertThat(table).containsPattern("acceptor +0,4 +0 +0 +0 +0,4 +yes +PINNED +-");
            assertThat(table).containsPattern("reactor-0 +1 +1 +0 +0 +- +pending +not started +-");
            assertThat(table).containsPattern("reactor-1 +2 +2 +0 +0 +2 +yes +PINNED +1");
            assertThat(table).containsPattern("reactor-3 +5 +1 +0 +0 +- +pending");
            assertThat(table).containsPattern("log \"writer\" +allowed +- +- +- +0-7 +reset +UNPINNED");
            assertThat(table).contains(
                "warning: reactor-0 (CPU 1) and reactor-3 (CPU 5) share a physical core (SMT siblings)");

            final String json = pinner.reportJson();
            JsonSyntax.check(json);
            assertThat(json).startsWith("{\"mode\":\"best-effort\",\"spec\":\"reactors=4 mode=strict\"," +
                "\"pinned\":true,\"reactorCount\":4,\"allowed\":\"0-7\"");
            assertThat(json).contains("{\"role\":\"reactor-1\",\"plannedCpus\":\"2\",\"cores\":[2],\"sockets\":[0]," +
                "\"nodes\":[0],\"actualCpus\":\"2\",\"status\":\"PINNED\",\"verified\":true,\"threadId\":4242," +
                "\"lastCpu\":5,\"cpuSamples\":2,\"migrations\":1}");
            assertThat(json).contains("\"role\":\"log \\\"writer\\\"\"");
            assertThat(json).contains("\"status\":null");
        }
    }

    @Test
    void shouldEscapeControlCharactersInJson()
    {
        final StringBuilder sb = new StringBuilder();
        PinReport.string(sb, "a\"b\\c\nd\u0001");
        assertThat(sb.toString()).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
        JsonSyntax.check(sb.toString());
        assertThatThrownBy(() -> JsonSyntax.check("{\"a\":}")).isInstanceOf(IllegalArgumentException.class);
    }
}
