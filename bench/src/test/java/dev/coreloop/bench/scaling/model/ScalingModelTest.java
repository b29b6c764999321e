package dev.coreloop.bench.scaling.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ScalingModelTest
{
    @Test
    void shouldRecoverTheUslParametersFromPointsOnTheCurve()
    {
        final ScalingModel.Usl truth = new ScalingModel.Usl(100_000, 0.03, 0.0005);
        final int[] n = {1, 2, 4, 8, 16};
        final double[] x = new double[n.length];
        for (int i = 0; i < n.length; i++)
        {
            x[i] = truth.opsPerS(n[i]);
        }
        final ScalingModel.Usl fit = ScalingModel.fitUsl(n, x);
        assertThat(fit.lambda()).isEqualTo(100_000);
        assertThat(fit.sigma()).isCloseTo(0.03, within(1e-9));
        assertThat(fit.kappa()).isCloseTo(0.0005, within(1e-9));
    }

    @Test
    void shouldRefuseToFitFewerThanFourPointsOrWithoutTheOneReactorPoint()
    {
        assertThatThrownBy(() -> ScalingModel.fitUsl(new int[] {1, 2, 3}, new double[] {1, 2, 3}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 4");
        assertThatThrownBy(() -> ScalingModel.fitUsl(new int[] {2, 3, 4, 5}, new double[] {2, 3, 4, 5}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1-reactor");
    }

    @Test
    void shouldPredictLinearScalingForLocalWorkAndLessForShardedWork()
    {
        assertThat(ScalingModel.localOpsPerS(8, 1_000)).isEqualTo(8_000_000);
        assertThat(ScalingModel.crossShardFraction(1)).isZero();
        assertThat(ScalingModel.crossShardFraction(4)).isEqualTo(0.75);
        // c_local 1 us, c_hop 1 us: at 4 reactors each op costs 1.75 us.
        assertThat(ScalingModel.shardedOpsPerS(4, 1_000, 1_000, 1.0)).isCloseTo(4e9 / 1_750, within(1e-6));
        assertThat(ScalingModel.shardedOpsPerS(1, 1_000, 1_000, 1.0)).isEqualTo(1_000_000);
    }

    @Test
    void shouldCapConnectionsPerSecondByTheAcceptorButNotWithReusePort()
    {
        assertThat(ScalingModel.connectionsPerS(64, 10_000, 20_000)).isEqualTo(50_000);
        assertThat(ScalingModel.connectionsPerS(64, 10_000, Double.NaN)).isEqualTo(6_400_000);
        assertThat(ScalingModel.connectionsPerS(1, 10_000, 5_000)).isEqualTo(100_000);
    }

    @Test
    void shouldMeasureTheKeyImbalanceOfTheRealWorkloadKeys()
    {
        assertThat(ScalingModel.imbalance(1)).isEqualTo(1.0);
        assertThat(ScalingModel.imbalance(8)).isBetween(1.0, 1.05);
    }
}
