package dev.coreloop.bench.scaling;

import java.util.List;

import dev.coreloop.affinity.CpuSet;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlacementTest
{
    private static final List<CpuSet> TWO_CPUS = List.of(CpuSet.of(0), CpuSet.of(1));
    /** 4 cores with SMT: siblings N and N+4. */
    private static final List<CpuSet> FOUR_CORES_SMT =
        List.of(CpuSet.of(0, 4), CpuSet.of(1, 5), CpuSet.of(2, 6), CpuSet.of(3, 7));

    @Test
    void shouldGiveOneReactorTheTopCpuAndTheLoadTheOtherOnTwoCpus()
    {
        final Placement p = Placement.plan(TWO_CPUS, CpuSet.parse("0-1"), 1, 1);
        assertThat(p.reactorCpus()).containsExactly(1);
        assertThat(p.acceptorCpu()).isEqualTo(1);
        assertThat(p.serverCpus()).isEqualTo(CpuSet.of(1));
        assertThat(p.loadThreadCpus()).containsExactly(CpuSet.of(0));
        assertThat(p.oversubscribed()).isFalse();
        assertThat(p.roles()).containsEntry("reactor-0", CpuSet.of(1)).containsEntry("load-0", CpuSet.of(0))
            .containsEntry("server", CpuSet.of(1));
    }

    @Test
    void shouldMarkTwoReactorsOnTwoCpusOversubscribedWithTheLoadFloating()
    {
        final Placement p = Placement.plan(TWO_CPUS, CpuSet.parse("0-1"), 2, 2);
        assertThat(p.reactorCpus()).containsExactly(0, 1);
        assertThat(p.oversubscribed()).isTrue();
        assertThat(p.loadThreadCpus()).containsExactly(CpuSet.parse("0-1"), CpuSet.parse("0-1"));
        assertThat(p.reason()).contains("no CPU left for 2 load thread(s)");
        assertThat(p.describe()).contains("OVERSUBSCRIBED");
    }

    @Test
    void shouldKeepSmtSiblingsOfReactorCoresAwayFromTheLoad()
    {
        final Placement p = Placement.plan(FOUR_CORES_SMT, CpuSet.parse("0-7"), 2, 2);
        assertThat(p.reactorCpus()).containsExactly(2, 3);
        assertThat(p.serverCpus()).isEqualTo(CpuSet.parse("2-3,6-7"));
        assertThat(p.loadCpus()).isEqualTo(CpuSet.parse("0-1,4-5"));
        assertThat(p.loadThreadCpus()).containsExactly(CpuSet.of(0), CpuSet.of(1));
        assertThat(p.oversubscribed()).isFalse();
    }

    @Test
    void shouldShareTheLoadCpusAndMarkOversubscribedWhenTooFewAreLeft()
    {
        final Placement p = Placement.plan(FOUR_CORES_SMT, CpuSet.parse("0-7"), 3, 3);
        assertThat(p.reactorCpus()).containsExactly(1, 2, 3);
        assertThat(p.loadCpus()).isEqualTo(CpuSet.parse("0,4"));
        assertThat(p.loadThreadCpus()).containsOnly(CpuSet.parse("0,4"));
        assertThat(p.oversubscribed()).isTrue();
        assertThat(p.reason()).isEqualTo("3 load threads share 2 CPU(s) 0,4");
    }

    @Test
    void shouldPutReactorsOnSiblingsOrUnpinThemWhenThereAreMoreReactorsThanCores()
    {
        final Placement shared = Placement.plan(FOUR_CORES_SMT, CpuSet.parse("0-7"), 6, 1);
        assertThat(shared.reactorCpus()).containsExactly(2, 3, 4, 5, 6, 7);
        assertThat(shared.oversubscribed()).isTrue();
        assertThat(shared.reason()).startsWith("6 reactors on 4 physical cores");

        final Placement unpinned = Placement.plan(TWO_CPUS, CpuSet.parse("0-1"), 3, 1);
        assertThat(unpinned.reactorCpus()).containsExactly(-1, -1, -1);
        assertThat(unpinned.oversubscribed()).isTrue();
        assertThat(unpinned.roles()).containsOnlyKeys("load-0");
    }

    @Test
    void shouldDefaultTheSweepToHalfThePhysicalCores()
    {
        assertThat(Placement.defaultMaxReactors(1)).isEqualTo(1);
        assertThat(Placement.defaultMaxReactors(2)).isEqualTo(1);
        assertThat(Placement.defaultMaxReactors(16)).isEqualTo(8);
    }

    @Test
    void shouldRefuseZeroReactors()
    {
        assertThatThrownBy(() -> Placement.plan(TWO_CPUS, CpuSet.parse("0-1"), 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reactors");
    }
}
