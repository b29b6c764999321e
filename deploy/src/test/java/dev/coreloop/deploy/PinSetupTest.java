package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;

import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.affinity.PinMode;
import dev.coreloop.affinity.ThreadPinner;
import org.junit.jupiter.api.Test;

/** Settings to pinner and reactor count, on a count-only topology (no sysfs) and on this machine's. */
class PinSetupTest
{
    private static final CpuTopology EIGHT_CPUS = CpuTopology.countOnly(8, "test-os");

    private static PinSetup resolve(final Map<Setting, String> flags, final Map<String, String> env)
    {
        return PinSetup.resolve(LauncherSettings.resolve(flags, env, null), EIGHT_CPUS);
    }

    @Test
    void shouldRunTheExplicitReactorCountWhenNoSpecIsGiven()
    {
        assertThat(resolve(Map.of(Setting.REACTORS, "3"), Map.of()).reactorCount()).isEqualTo(3);
    }

    @Test
    void shouldTakeTheReactorCountFromTheSpecOnAuto()
    {
        assertThat(resolve(Map.of(Setting.PIN, "reactors=5"), Map.of()).reactorCount()).isEqualTo(5);
        assertThat(resolve(Map.of(), Map.of("CORELOOP_PIN", "reactors=2-4")).reactorCount()).isEqualTo(3);
    }

    @Test
    void shouldRejectAReactorCountThatDisagreesWithTheSpec()
    {
        assertThatThrownBy(() -> resolve(Map.of(Setting.REACTORS, "2"), Map.of("CORELOOP_PIN", "reactors=4")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("--reactors is 2 but CORELOOP_PIN 'reactors=4' places 4 reactors; give one or make them agree");
        assertThat(resolve(Map.of(Setting.REACTORS, "4"), Map.of("CORELOOP_PIN", "reactors=4")).reactorCount())
            .isEqualTo(4);
    }

    @Test
    void shouldNameTheSettingThatHoldsASpecThatDoesNotParse()
    {
        assertThatThrownBy(() -> resolve(Map.of(Setting.PIN, "reactors=lots"), Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("--pin: pinning spec 'reactors=lots'");
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("CORELOOP_PIN", "cpus=1")))
            .hasMessageStartingWith("CORELOOP_PIN: pinning spec 'cpus=1'");
    }

    @Test
    void shouldTakeTheModeFromTheSpecUnlessPinModeIsGiven()
    {
        assertThat(resolve(Map.of(), Map.of()).mode()).isEqualTo(PinMode.BEST_EFFORT);
        assertThat(resolve(Map.of(Setting.PIN, "reactors=2 mode=strict"), Map.of()).mode()).isEqualTo(PinMode.STRICT);
    }

    @Test
    void shouldNeverLetALowerPrecedencePinModeOverrideTheModeWrittenInThePin()
    {
        final PinSetup fromFlag = resolve(Map.of(Setting.PIN, "reactors=2 mode=strict"),
            Map.of("CORELOOP_PIN_MODE", "best-effort"));
        assertThat(fromFlag.mode()).isEqualTo(PinMode.STRICT);
        assertThat(fromFlag.modeSource()).isEqualTo("mode= in --pin, which outranks CORELOOP_PIN_MODE");

        final PinSetup flagWins = resolve(Map.of(Setting.PIN_MODE, "best-effort"),
            Map.of("CORELOOP_PIN", "reactors=2 mode=strict"));
        assertThat(flagWins.mode()).isEqualTo(PinMode.BEST_EFFORT);
        assertThat(flagWins.modeSource()).isEqualTo("--pin-mode, which outranks mode= in CORELOOP_PIN");

        assertThat(resolve(Map.of(Setting.PIN, "reactors=2"), Map.of("CORELOOP_PIN_MODE", "strict")).mode())
            .isEqualTo(PinMode.STRICT);
        assertThat(resolve(Map.of(Setting.PIN, "reactors=2 mode=strict", Setting.PIN_MODE, "strict"), Map.of())
            .mode()).isEqualTo(PinMode.STRICT);
        assertThatThrownBy(() -> resolve(Map.of(Setting.PIN, "reactors=2 mode=strict", Setting.PIN_MODE, "off"),
            Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessage("--pin-mode is 'off' but --pin 'reactors=2 mode=strict' says mode=strict; give one or make" +
                " them agree");
    }

    @Test
    void shouldReportThePlanUnpinnedWhenPinningIsOff()
    {
        final PinSetup setup = resolve(Map.of(Setting.PIN_MODE, "off", Setting.REACTORS, "2"), Map.of());

        assertThat(setup.mode()).isEqualTo(PinMode.OFF);
        assertThat(setup.reactorCount()).isEqualTo(2);
        try (ThreadPinner pinner = setup.newPinner())
        {
            assertThat(pinner.plannedReactorCount()).isEqualTo(2);
            assertThat(pinner.report()).startsWith("pinning: mode=off spec='reactors=2' reactors=2");
        }
    }

    @Test
    void shouldRejectASpecThatDoesNotFitThisMachine()
    {
        final CpuTopology here = CpuTopology.detect();
        assumeTrue(here.hasDetails(), "no sysfs topology on this OS");

        assertThatThrownBy(() -> PinSetup.resolve(
            LauncherSettings.resolve(Map.of(Setting.PIN, "reactors=8000"), Map.of(), null), here))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("--pin: reactors=8000: 8000 reactors for " + here.allowed().size() + " allowed CPUs");
    }
}
