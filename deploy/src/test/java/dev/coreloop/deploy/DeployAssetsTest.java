package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.PinningPlan;
import org.junit.jupiter.api.Test;

/** The shipped systemd unit, Kubernetes manifest and sample config agree with the launcher and with themselves. */
class DeployAssetsTest
{
    private static final Path UNIT = Path.of("systemd/coreloop.service");
    private static final Path MANIFEST = Path.of("kubernetes/coreloop.yaml");
    private static final Path SAMPLE_CONFIG = Path.of("coreloop.conf");

    @Test
    void shouldPinOnlyInsideTheUnitsCpuAffinity() throws IOException
    {
        final String unit = Files.readString(UNIT);
        final CpuSet affinity = CpuSet.parse(single(unit, "(?m)^CPUAffinity=(\\S+)$"));
        final PinningPlan plan = PinningPlan.parse(single(unit, "(?s)coreloop.jar serve .*?--pin \"([^\"]+)\""));

        assertThat(affinity.contains(plan.acceptorCpu())).as("acceptor CPU %d in %s", plan.acceptorCpu(), affinity)
            .isTrue();
        for (final int cpu : plan.reactorCpus())
        {
            assertThat(affinity.contains(cpu)).as("reactor CPU %d in %s", cpu, affinity).isTrue();
        }
        // The comment that explains the pairing names the same two values.
        assertThat(unit).contains("CPUAffinity=" + affinity + "   <->   --pin '" + plan.spec() + "'");
    }

    @Test
    void shouldGiveTheUnitAFileLimitAGracefulStopAndNoRestartOnBadConfig() throws IOException
    {
        final String unit = Files.readString(UNIT);

        assertThat(Long.parseLong(single(unit, "(?m)^LimitNOFILE=(\\d+)$"))).isGreaterThanOrEqualTo(65_536);
        assertThat(unit).containsPattern("(?m)^KillSignal=SIGTERM$")
            .containsPattern("(?m)^RestartPreventExitStatus=" + Main.EXIT_USAGE + "$")
            .contains("--config /etc/coreloop/coreloop.conf")
            .contains("--pin-mode strict");
        final long stopTimeoutMs = Long.parseLong(single(unit, "(?m)^TimeoutStopSec=(\\d+)$")) * 1000;
        assertThat(stopTimeoutMs).isGreaterThan(Long.parseLong(Setting.SHUTDOWN_DEADLINE_MS_DEFAULT));
    }

    @Test
    void shouldAskKubernetesForGuaranteedQosWithIntegerCpus() throws IOException
    {
        final String manifest = Files.readString(MANIFEST);
        final String requests = single(manifest, "requests:\\s*\\n\\s*cpu: \"([^\"]+)\"\\s*\\n\\s*memory: (\\S+)");
        final String limits = single(manifest, "limits:\\s*\\n\\s*cpu: \"([^\"]+)\"\\s*\\n\\s*memory: (\\S+)");

        assertThat(requests).isEqualTo(limits).matches("[1-9][0-9]*");
        assertThat(memory(manifest, "requests")).isEqualTo(memory(manifest, "limits"));
    }

    @Test
    void shouldConfigureTheKubernetesPodThroughTheLaunchersEnvironment() throws IOException
    {
        final String manifest = Files.readString(MANIFEST);
        final String pin = single(manifest, "- name: CORELOOP_PIN\\s*\\n\\s*value: \"([^\"]+)\"");
        final String mode = single(manifest, "- name: CORELOOP_PIN_MODE\\s*\\n\\s*value: \"([^\"]+)\"");

        final LauncherSettings settings = LauncherSettings.resolve(
            Map.of(Setting.BIND, "0.0.0.0"), Map.of("CORELOOP_PIN", pin, "CORELOOP_PIN_MODE", mode), null);
        PinningPlan.parse(settings.effectivePinSpec());
        assertThat(manifest).contains("args: [\"--bind\", \"0.0.0.0\", \"--metrics-port\", \"9100\"]");
        for (final String port : new String[] {Setting.ECHO_PORT_DEFAULT, Setting.HTTP_PORT_DEFAULT,
            Setting.RESP_PORT_DEFAULT})
        {
            assertThat(manifest).contains("containerPort: " + port);
        }
    }

    @Test
    void shouldShipASampleConfigThatMatchesTheDefaultsExceptWhereItSaysSo()
    {
        final ConfigFile file = ConfigFile.read(SAMPLE_CONFIG);
        final LauncherSettings sample = LauncherSettings.resolve(Map.of(), Map.of(), file);
        final LauncherSettings defaults = LauncherSettings.resolve(Map.of(), Map.of(), null);

        assertThat(file.entries()).containsOnlyKeys(Setting.values());
        for (final Setting setting : Setting.values())
        {
            if (setting != Setting.PIN)
            {
                assertThat(sample.value(setting).text()).as(setting.key()).isEqualTo(defaults.value(setting).text());
            }
        }
        assertThat(sample.pinSpec()).isEqualTo("reactors=auto smt=avoid");
    }

    private static String memory(final String manifest, final String section)
    {
        final Matcher matcher = Pattern.compile(section + ":\\s*\\n\\s*cpu: \"[^\"]+\"\\s*\\n\\s*memory: (\\S+)")
            .matcher(manifest);
        assertThat(matcher.find()).as("%s memory", section).isTrue();
        return matcher.group(1);
    }

    private static String single(final String text, final String regex)
    {
        final Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("'%s' in the file", regex).isTrue();
        final String value = matcher.group(1);
        assertThat(matcher.find()).as("'%s' only once", regex).isFalse();
        return value;
    }
}
