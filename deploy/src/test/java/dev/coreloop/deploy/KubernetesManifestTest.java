package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.affinity.PinMode;
import dev.coreloop.affinity.ResolvedPlan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** deploy/kubernetes/coreloop.yaml, parsed with SnakeYAML: the properties issue 10 item 9 asks for. */
class KubernetesManifestTest
{
    private static final Path MANIFEST = Path.of("kubernetes/coreloop.yaml");

    private static Map<String, Object> deployment;
    private static Map<String, Object> service;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws IOException
    {
        final Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        for (final Object document : yaml.loadAll(Files.readString(MANIFEST)))
        {
            final Map<String, Object> map = (Map<String, Object>)document;
            switch ((String)map.get("kind"))
            {
                case "Deployment" -> deployment = map;
                case "Service" -> service = map;
                default -> throw new AssertionError("unexpected kind " + map.get("kind"));
            }
        }
        assertThat(deployment).isNotNull();
        assertThat(service).isNotNull();
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(final Object root, final String... path)
    {
        Object node = root;
        for (final String step : path)
        {
            if (node instanceof List<?> list)
            {
                node = list.get(Integer.parseInt(step));
            }
            else
            {
                assertThat(node).as("%s in %s", step, String.join(".", path)).isInstanceOf(Map.class);
                node = ((Map<String, Object>)node).get(step);
            }
        }
        return (T)node;
    }

    private static Map<String, Object> container()
    {
        final List<Object> containers = at(deployment, "spec", "template", "spec", "containers");
        assertThat(containers).hasSize(1);
        return at(containers, "0");
    }

    private static String env(final String name)
    {
        final List<Map<String, Object>> env = at(container(), "env");
        return env.stream().filter(e -> name.equals(e.get("name"))).map(e -> (String)e.get("value")).findFirst()
            .orElseThrow(() -> new AssertionError("no env " + name));
    }

    private static int metricsPort()
    {
        final List<String> args = at(container(), "args");
        return Integer.parseInt(args.get(args.indexOf("--metrics-port") + 1));
    }

    @Test
    void shouldUseEveryExclusiveCpuSmtSiblingsIncluded()
    {
        final int cpus = Integer.parseInt(at(container(), "resources", "limits", "cpu"));
        assertThat((String)at(container(), "resources", "requests", "cpu")).isEqualTo(String.valueOf(cpus));

        // On a cpuset of exactly that many logical CPUs (the 4-CPU host fixture), the pod's spec places one reactor
        // on each of them.
        final String spec = env("CORELOOP_PIN");
        final LauncherSettings settings = LauncherSettings.resolve(Map.of(),
            Map.of("CORELOOP_PIN", spec, "CORELOOP_PIN_MODE", env("CORELOOP_PIN_MODE")), null);
        final CpuTopology exclusive = CpuTopology.detect(HostCheckTest.fixture("tuned"));
        assertThat(exclusive.allowed().size()).isEqualTo(cpus);
        final ResolvedPlan plan = PinSetup.resolve(settings, exclusive).plan();
        CpuSet used = CpuSet.empty();
        for (int r = 0; r < plan.reactorCount(); r++)
        {
            used = used.union(CpuSet.of(plan.reactorCpu(r)));
        }
        assertThat(plan.reactorCount()).isEqualTo(cpus);
        assertThat(used).isEqualTo(exclusive.allowed());
        assertThat(spec).contains("smt=allow");
        assertThat(Files.exists(MANIFEST)).isTrue();
    }

    @Test
    void shouldNotCrashLoopWithoutTheStaticCpuManager()
    {
        // best-effort: a pin that does not take (a shared pool) is a warning; a fixed count, not 'auto', so a big
        // shared pool does not multiply the reactors past the direct memory and the CFS quota sized for the pod.
        final LauncherSettings settings = LauncherSettings.resolve(Map.of(),
            Map.of("CORELOOP_PIN", env("CORELOOP_PIN"), "CORELOOP_PIN_MODE", env("CORELOOP_PIN_MODE")), null);
        assertThat(PinMode.parse(settings.pinMode())).isEqualTo(PinMode.BEST_EFFORT);
        assertThat(env("CORELOOP_PIN")).doesNotContain("mode=strict").doesNotContain("auto");
    }

    @Test
    void shouldSizeDirectMemoryFromThePlan()
    {
        final int reactors = Integer.parseInt(at(container(), "resources", "limits", "cpu"));
        final Matcher matcher = Pattern.compile("-XX:MaxDirectMemorySize=(\\d+)m").matcher(env("JDK_JAVA_OPTIONS"));
        assertThat(matcher.find()).isTrue();
        final long limitBytes = Long.parseLong(matcher.group(1)) << 20;

        assertThat(DirectMemoryCheck.warning(reactors, Long.parseLong(Setting.BUFFER_POOL_BYTES_DEFAULT), limitBytes))
            .isNull();
        // and not wildly more than the plan needs: at most the launcher's own rule (64 MiB per reactor + 64 MiB)
        assertThat(limitBytes).isLessThanOrEqualTo((reactors * 64L + 64) << 20);
    }

    @Test
    void shouldProbeHealthOverHttpOnTheMetricsPort()
    {
        final int port = metricsPort();
        final List<Map<String, Object>> ports = at(container(), "ports");
        assertThat(ports).anySatisfy(p -> assertThat(p).containsEntry("name", "metrics")
            .containsEntry("containerPort", port));

        assertThat((Object)at(container(), "readinessProbe", "tcpSocket")).isNull();
        assertThat((String)at(container(), "readinessProbe", "httpGet", "path")).isEqualTo("/health");
        assertThat((String)at(container(), "readinessProbe", "httpGet", "port")).isEqualTo("metrics");
        assertThat((Object)at(container(), "livenessProbe", "tcpSocket")).isNull();
        assertThat((String)at(container(), "livenessProbe", "httpGet", "port")).isEqualTo("metrics");
    }

    @Test
    void shouldDelayTheStopAndStayInsideTheGracePeriod()
    {
        final List<String> preStop = at(container(), "lifecycle", "preStop", "exec", "command");
        assertThat(preStop.get(0)).isEqualTo("sleep");
        final int delayS = Integer.parseInt(preStop.get(1));
        assertThat(delayS).isPositive();
        final int graceS = at(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds");
        assertThat((long)graceS * 1000).isGreaterThan(delayS * 1000L +
            Long.parseLong(Setting.SHUTDOWN_DEADLINE_MS_DEFAULT));
    }

    @Test
    void shouldUseTheRuntimeDefaultSeccompProfileAndNoPrivileges()
    {
        assertThat((String)at(deployment, "spec", "template", "spec", "securityContext", "seccompProfile", "type"))
            .isEqualTo("RuntimeDefault");
        assertThat((Boolean)at(container(), "securityContext", "allowPrivilegeEscalation")).isFalse();
        assertThat((Boolean)at(container(), "securityContext", "readOnlyRootFilesystem")).isTrue();
        // With a read-only root, the counters file and the claims need a writable mount.
        final List<Map<String, Object>> mounts = at(container(), "volumeMounts");
        final List<Object> paths = new ArrayList<>();
        mounts.forEach(m -> paths.add(m.get("mountPath")));
        assertThat(paths).contains("/tmp", env("CORELOOP_RUN_DIR"));
        assertThat(env("JDK_JAVA_OPTIONS")).contains("-Dcoreloop.cpu.lock.dir=" + env("CORELOOP_RUN_DIR") + "/");
    }

    @Test
    void shouldNotExposeRespThroughTheService()
    {
        final List<Map<String, Object>> ports = at(service, "spec", "ports");
        final List<Object> names = new ArrayList<>();
        ports.forEach(p -> names.add(p.get("name")));

        assertThat(names).containsExactly("echo", "http").doesNotContain("resp");
        assertThat(ports).noneSatisfy(p -> assertThat(p.get("port")).isEqualTo(
            Integer.parseInt(Setting.RESP_PORT_DEFAULT)));
    }
}
