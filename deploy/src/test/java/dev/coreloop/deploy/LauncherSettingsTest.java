package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class LauncherSettingsTest
{
    private static final Path CONF = Path.of("coreloop.conf");

    /** Three valid values per setting, none equal to the default: for the flag, the environment and the file. */
    static Stream<Arguments> threeValidValuesPerSetting()
    {
        return Stream.of(
            Arguments.of(Setting.REACTORS, "2", "3", "4"),
            Arguments.of(Setting.PIN, "reactors=2", "reactors=node0", "acceptor=0 reactors=1-3"),
            Arguments.of(Setting.PIN_MODE, "strict", "off", "strict"),
            Arguments.of(Setting.BIND, "0.0.0.0", "::1", "127.0.0.2"),
            Arguments.of(Setting.ECHO_PORT, "17007", "27007", "0"),
            Arguments.of(Setting.HTTP_PORT, "18080", "ephemeral", "28080"),
            Arguments.of(Setting.RESP_PORT, "16380", "26380", "0"),
            Arguments.of(Setting.SHUTDOWN_DEADLINE_MS, "1", "250", "0"),
            Arguments.of(Setting.METRICS_PORT, "9464", "ephemeral", "19464"),
            Arguments.of(Setting.RUN_DIR, "/run/coreloop", "/tmp", "/var/run"),
            Arguments.of(Setting.IDLE_TIMEOUT_MS, "1", "120000", "86400000"),
            Arguments.of(Setting.WRITE_STALL_TIMEOUT_MS, "5000", "1", "60000"),
            Arguments.of(Setting.DRAIN_TIMEOUT_MS, "100", "1", "10000"),
            Arguments.of(Setting.BUFFER_POOL_BYTES, "4194304", "134217728", "1099511627776"),
            Arguments.of(Setting.BACKLOG, "1", "4096", "65535"),
            Arguments.of(Setting.IDLE_MODE, "spin", "BACKOFF", "spin"),
            Arguments.of(Setting.RESP_PROTO_MAX_BULK_LEN, "1mb", "512mb", "1000000"),
            Arguments.of(Setting.RESP_MAXMEMORY, "0", "100mb", "2gb"));
    }

    @Test
    void shouldUseEmbeddedDefaultsWhenNothingIsGiven()
    {
        final LauncherSettings settings = LauncherSettings.resolve(Map.of(), Map.of(), null);

        assertThat(settings.reactorCount()).isEqualTo(LauncherSettings.REACTORS_AUTO);
        assertThat(settings.pinSpec()).isEqualTo("reactors=auto");
        assertThat(settings.effectivePinSpec()).isEqualTo("reactors=auto");
        assertThat(settings.pinMode()).isEqualTo(LauncherSettings.PIN_MODE_BEST_EFFORT);
        assertThat(settings.bindAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(settings.echoPort()).isEqualTo(7007);
        assertThat(settings.httpPort()).isEqualTo(8080);
        assertThat(settings.respPort()).isEqualTo(6380);
        assertThat(settings.shutdownDeadlineMs()).isEqualTo(5000);
        assertThat(settings.respProtoMaxBulkLen()).isEqualTo(64 * 1024 * 1024);
        assertThat(settings.respMaxmemory()).isEqualTo(dev.coreloop.examples.resp.RespConfig.MAXMEMORY_AUTO);
        assertThat(settings.proxyPort()).isEqualTo(LauncherSettings.PORT_DISABLED);
        assertThat(settings.proxyUpstream()).isNull();
        for (final Setting setting : Setting.values())
        {
            assertThat(settings.value(setting).source()).isEqualTo(LauncherSettings.Source.DEFAULT);
        }
    }

    @ParameterizedTest
    @MethodSource("threeValidValuesPerSetting")
    void shouldPreferFlagThenEnvironmentThenFileThenDefault(final Setting setting, final String flagValue,
        final String envValue, final String fileValue)
    {
        final Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(setting, flagValue);
        final Map<String, String> env = new HashMap<>();
        env.put(setting.envName(), envValue);
        final ConfigFile file = ConfigFile.parse(CONF, List.of(setting.key() + " = " + fileValue));

        assertValue(LauncherSettings.resolve(flags, env, file), setting, flagValue, LauncherSettings.Source.FLAG);
        assertValue(LauncherSettings.resolve(Map.of(), env, file), setting, envValue, LauncherSettings.Source.ENV);
        assertValue(LauncherSettings.resolve(Map.of(), Map.of(), file), setting, fileValue,
            LauncherSettings.Source.FILE);
        assertValue(LauncherSettings.resolve(Map.of(), Map.of(), null), setting, setting.defaultValue(),
            LauncherSettings.Source.DEFAULT);
    }

    @Test
    void shouldNameEnvironmentVariablesAfterTheKeys()
    {
        assertThat(Setting.PIN.envName()).isEqualTo("CORELOOP_PIN");
        assertThat(Setting.PIN_MODE.envName()).isEqualTo("CORELOOP_PIN_MODE");
        assertThat(Setting.HTTP_PORT.envName()).isEqualTo("CORELOOP_HTTP_PORT");
        assertThat(Setting.SHUTDOWN_DEADLINE_MS.optionName()).isEqualTo("--shutdown-deadline-ms");
    }

    @Test
    void shouldTreatAnEmptyEnvironmentValueAsUnset()
    {
        final ConfigFile file = ConfigFile.parse(CONF, List.of("pin = reactors=2"));

        final LauncherSettings settings = LauncherSettings.resolve(Map.of(), Map.of("CORELOOP_PIN", " "), file);

        assertThat(settings.pinSpec()).isEqualTo("reactors=2");
        assertThat(settings.value(Setting.PIN).source()).isEqualTo(LauncherSettings.Source.FILE);
        assertThat(settings.value(Setting.PIN).label()).isEqualTo("coreloop.conf:1: pin");
    }

    @Test
    void shouldTurnAnExplicitReactorCountIntoTheSpecWhenNoSpecIsGiven()
    {
        assertThat(LauncherSettings.resolve(Map.of(Setting.REACTORS, "3"), Map.of(), null).effectivePinSpec())
            .isEqualTo("reactors=3");
        assertThat(LauncherSettings.resolve(Map.of(Setting.REACTORS, "3"), Map.of("CORELOOP_PIN", "reactors=2-4"),
            null).effectivePinSpec()).isEqualTo("reactors=2-4");
    }

    @Test
    void shouldMapPortZeroToDisabledAndEphemeralToOsChosen()
    {
        final LauncherSettings settings = LauncherSettings.resolve(
            Map.of(Setting.ECHO_PORT, "0", Setting.HTTP_PORT, "ephemeral", Setting.RESP_PORT, "EPHEMERAL"),
            Map.of(), null);

        assertThat(settings.echoPort()).isEqualTo(LauncherSettings.PORT_DISABLED);
        assertThat(settings.httpPort()).isEqualTo(LauncherSettings.PORT_EPHEMERAL);
        assertThat(settings.respPort()).isEqualTo(LauncherSettings.PORT_EPHEMERAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536", "http", "80x", "8 080", "1e3", "+8081", "08081", " 8081 ", "8081 "})
    void shouldRejectABadPortNamingTheFlagAndTheValue(final String port)
    {
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.HTTP_PORT, port), Map.of(), null))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("--http-port: '" + port + "' is not a port");
    }

    @Test
    void shouldCheckTheConnectionAndReactorSettings()
    {
        final LauncherSettings settings = LauncherSettings.resolve(Map.of(Setting.IDLE_TIMEOUT_MS, "1500",
            Setting.BUFFER_POOL_BYTES, "8388608", Setting.IDLE_MODE, "Spin"), Map.of("CORELOOP_BACKLOG", "64"), null);
        assertThat(settings.idleTimeoutMs()).isEqualTo(1500);
        assertThat(settings.bufferPoolBytes()).isEqualTo(8 << 20);
        assertThat(settings.idleMode()).isEqualTo(dev.coreloop.core.IdleMode.SPIN);
        assertThat(settings.backlog()).isEqualTo(64);
        assertThat(settings.drainTimeoutMs()).isEqualTo(2000);
        assertThat(settings.writeStallTimeoutMs()).isEqualTo(30000);

        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.DRAIN_TIMEOUT_MS, "0"), Map.of(), null))
            .hasMessage("--drain-timeout-ms: '0' is not a number of milliseconds in 1-86400000");
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.BUFFER_POOL_BYTES, "64m"), Map.of(), null))
            .hasMessageStartingWith("--buffer-pool-bytes: '64m' is not a number of bytes");
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(), Map.of("CORELOOP_BACKLOG", "+10"), null))
            .hasMessage("CORELOOP_BACKLOG: '+10' is not a number of connections in 1-65535");
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.IDLE_MODE, "sleep"), Map.of(), null))
            .hasMessage("--idle-mode: 'sleep' is not an idle mode (select, backoff, spin)");
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.RUN_DIR, "run"), Map.of(), null))
            .hasMessage("--run-dir: 'run' must be an absolute directory (or auto)");
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.METRICS_PORT, "8080"), Map.of(), null))
            .hasMessageContaining("both are port 8080");
    }

    @Test
    void shouldNameTheEnvironmentVariableOrFileLineThatHoldsABadValue()
    {
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(), Map.of("CORELOOP_RESP_PORT", "70000"), null))
            .hasMessageStartingWith("CORELOOP_RESP_PORT: '70000' is not a port");
        final ConfigFile file = ConfigFile.parse(CONF, List.of("# comment", "", "echo-port = seven"));
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(), Map.of(), file))
            .hasMessageStartingWith("coreloop.conf:3: echo-port: 'seven' is not a port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-2", "1025", "four", "2.5", ""})
    void shouldRejectABadReactorCount(final String reactors)
    {
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.REACTORS, reactors), Map.of(), null))
            .isInstanceOf(ConfigException.class)
            .hasMessage("--reactors: '" + reactors + "' is not a reactor count (auto, or 1-1024)");
    }

    @Test
    void shouldAcceptPinModesInAnyCaseAndWithUnderscores()
    {
        assertThat(LauncherSettings.resolve(Map.of(Setting.PIN_MODE, "STRICT"), Map.of(), null).pinMode())
            .isEqualTo(LauncherSettings.PIN_MODE_STRICT);
        assertThat(LauncherSettings.resolve(Map.of(Setting.PIN_MODE, "best_effort"), Map.of(), null).pinMode())
            .isEqualTo(LauncherSettings.PIN_MODE_BEST_EFFORT);
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.PIN_MODE, "always"), Map.of(), null))
            .hasMessage("--pin-mode: 'always' is not a pin mode (strict, best-effort, off)");
    }

    @Test
    void shouldRejectAnEmptyPinningSpec()
    {
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.PIN, "  "), Map.of(), null))
            .hasMessageStartingWith("--pin: the pinning spec is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "300.1.2.3", "1.2.3", "1.2.3.4.5", "example.com", "::zz"})
    void shouldRejectABindAddressThatIsNotAnIpLiteral(final String bind)
    {
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.BIND, bind), Map.of(), null))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("--bind: '" + bind + "' is not an IP address");
    }

    @Test
    void shouldRejectABadShutdownDeadline()
    {
        assertThatThrownBy(() -> LauncherSettings.resolve(
            Map.of(Setting.SHUTDOWN_DEADLINE_MS, "600001"), Map.of(), null))
            .hasMessage("--shutdown-deadline-ms: '600001' is out of range (0-600000 ms)");
        assertThatThrownBy(() -> LauncherSettings.resolve(
            Map.of(Setting.SHUTDOWN_DEADLINE_MS, "5s"), Map.of(), null))
            .hasMessage("--shutdown-deadline-ms: '5s' is not a number of milliseconds");
    }

    @Test
    void shouldReadRespSizesAsRedisReadsThemAndNameABadOne()
    {
        final LauncherSettings settings = LauncherSettings.resolve(
            Map.of(Setting.RESP_PROTO_MAX_BULK_LEN, "2MB"), Map.of("CORELOOP_RESP_MAXMEMORY", "100k"), null);
        assertThat(settings.respProtoMaxBulkLen()).isEqualTo(2 * 1024 * 1024);
        assertThat(settings.respMaxmemory()).isEqualTo(100_000);
        assertThat(settings.respConfig().conclude().maxmemory()).isEqualTo(100_000);
        assertThat(LauncherSettings.resolve(Map.of(Setting.RESP_MAXMEMORY, "0"), Map.of(), null).respConfig()
            .conclude().maxmemory()).as("0: no limit").isZero();
        assertThat(LauncherSettings.resolve(Map.of(Setting.RESP_MAXMEMORY, "2GB"), Map.of(), null).respMaxmemory())
            .isEqualTo(2L * 1024 * 1024 * 1024);
        assertThatThrownBy(() -> LauncherSettings.resolve(
            Map.of(Setting.RESP_PROTO_MAX_BULK_LEN, "513mb"), Map.of(), null))
            .hasMessage("--resp-proto-max-bulk-len: '513mb' is out of range (1-536870912 bytes)");
        assertThatThrownBy(() -> LauncherSettings.resolve(
            Map.of(Setting.RESP_PROTO_MAX_BULK_LEN, "auto"), Map.of(), null))
            .hasMessageStartingWith("--resp-proto-max-bulk-len: 'auto' is not a size in bytes");
        assertThatThrownBy(() -> LauncherSettings.resolve(
            Map.of(Setting.RESP_MAXMEMORY, "-1"), Map.of(), null))
            .hasMessageStartingWith("--resp-maxmemory: '-1' is not a size in bytes");
        assertThatThrownBy(() -> LauncherSettings.resolve(
            Map.of(), Map.of("CORELOOP_RESP_MAXMEMORY", "1tb"), null))
            .hasMessageStartingWith("CORELOOP_RESP_MAXMEMORY: '1tb' is not a size in bytes");
    }

    @Test
    void shouldRejectConfigurationsWithNothingToServe()
    {
        assertThatThrownBy(() -> LauncherSettings.resolve(
            Map.of(Setting.ECHO_PORT, "0", Setting.HTTP_PORT, "0", Setting.RESP_PORT, "0"), Map.of(), null))
            .hasMessageStartingWith("nothing to serve");
    }

    @Test
    void shouldRejectTwoListenersOnOnePort()
    {
        assertThatThrownBy(() -> LauncherSettings.resolve(
            Map.of(Setting.HTTP_PORT, "9000"), Map.of("CORELOOP_RESP_PORT", "9000"), null))
            .hasMessage("--http-port and CORELOOP_RESP_PORT: both are port 9000; each listener needs its own port");
        // Two ephemeral listeners get different ports from the OS.
        assertThat(LauncherSettings.resolve(
            Map.of(Setting.HTTP_PORT, "ephemeral", Setting.RESP_PORT, "ephemeral"), Map.of(), null).httpPort())
            .isEqualTo(LauncherSettings.PORT_EPHEMERAL);
    }

    @Test
    void shouldDescribeEachValueWithItsSource()
    {
        final ConfigFile file = ConfigFile.parse(CONF, List.of("reactors = 2"));

        final String description = LauncherSettings.resolve(
            Map.of(Setting.HTTP_PORT, "9090"), Map.of("CORELOOP_PIN", "reactors=2"), file).describe();

        assertThat(description)
            .containsPattern("http-port +'?= 9090 +\\(flag --http-port\\)")
            .containsPattern("pin +'?= reactors=2 +\\(env CORELOOP_PIN\\)")
            .containsPattern("reactors +'?= 2 +\\(coreloop.conf:1: reactors\\)")
            .containsPattern("resp-port +'?= 6380 +\\(default\\)");
    }

    @Test
    void shouldPreferFlagThenEnvironmentThenFileThenDefaultForTheProxySettings()
    {
        final Map<Setting, String> flags = Map.of(Setting.PROXY_PORT, "16000",
            Setting.PROXY_UPSTREAM, "flag.example:1");
        final Map<String, String> env = Map.of("CORELOOP_PROXY_PORT", "ephemeral",
            "CORELOOP_PROXY_UPSTREAM", "[::1]:2");
        final ConfigFile file = ConfigFile.parse(CONF, List.of("proxy-port = 36000", "proxy-upstream = 10.0.0.3:3"));

        final LauncherSettings fromFlags = LauncherSettings.resolve(flags, env, file);
        assertThat(fromFlags.proxyPort()).isEqualTo(16000);
        assertThat(fromFlags.proxyUpstream().host()).isEqualTo("flag.example");
        assertThat(fromFlags.proxyUpstream().port()).isEqualTo(1);
        assertThat(fromFlags.value(Setting.PROXY_UPSTREAM).source()).isEqualTo(LauncherSettings.Source.FLAG);

        final LauncherSettings fromEnv = LauncherSettings.resolve(Map.of(), env, file);
        assertThat(fromEnv.proxyPort()).isEqualTo(LauncherSettings.PORT_EPHEMERAL);
        assertThat(fromEnv.proxyUpstream()).hasToString("[::1]:2");
        assertThat(fromEnv.value(Setting.PROXY_PORT).source()).isEqualTo(LauncherSettings.Source.ENV);

        final LauncherSettings fromFile = LauncherSettings.resolve(Map.of(), Map.of(), file);
        assertThat(fromFile.proxyPort()).isEqualTo(36000);
        assertThat(fromFile.proxyUpstream()).hasToString("10.0.0.3:3");
        assertThat(fromFile.value(Setting.PROXY_UPSTREAM).label()).isEqualTo("coreloop.conf:2: proxy-upstream");

        // Mixed sources are fine as long as both end up given.
        final LauncherSettings mixed = LauncherSettings.resolve(Map.of(Setting.PROXY_PORT, "16001"),
            Map.of("CORELOOP_PROXY_UPSTREAM", "db:5432"), null);
        assertThat(mixed.proxyPort()).isEqualTo(16001);
        assertThat(mixed.proxyUpstream()).hasToString("db:5432");
    }

    @Test
    void shouldRequireTheProxyPortAndUpstreamTogetherNamingWhatWasGiven()
    {
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.PROXY_PORT, "6000"), Map.of(), null))
            .isInstanceOf(ConfigException.class)
            .hasMessage("--proxy-port: '6000' starts the proxy, which needs --proxy-upstream HOST:PORT too (or" +
                " CORELOOP_PROXY_UPSTREAM, or proxy-upstream in the config file)");
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(), Map.of("CORELOOP_PROXY_UPSTREAM", "db:5432"),
            null))
            .isInstanceOf(ConfigException.class)
            .hasMessage("CORELOOP_PROXY_UPSTREAM: 'db:5432' is for the proxy, which needs --proxy-port PORT too (or" +
                " CORELOOP_PROXY_PORT, or proxy-port in the config file); 'none' for no proxy");
        final ConfigFile file = ConfigFile.parse(CONF, List.of("proxy-port = 6000", "proxy-upstream = db:5432"));
        assertThatThrownBy(() -> LauncherSettings.resolve(Map.of(Setting.PROXY_PORT, "0"), Map.of(), file))
            .hasMessageStartingWith("coreloop.conf:2: proxy-upstream: 'db:5432' is for the proxy, which needs");
        // Turning a configured proxy off takes both.
        final LauncherSettings off = LauncherSettings.resolve(
            Map.of(Setting.PROXY_PORT, "0", Setting.PROXY_UPSTREAM, "NONE"), Map.of(), file);
        assertThat(off.proxyPort()).isEqualTo(LauncherSettings.PORT_DISABLED);
        assertThat(off.proxyUpstream()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "db.internal     | 'db.internal' is not HOST:PORT: the port is missing",
        "db:99999        | 'db:99999' is not HOST:PORT: the port '99999' is not in 1-65535",
        "::1:80          | '::1:80' is not HOST:PORT: an IPv6 address needs brackets, as in [::1]:8080",
        "tcp://db:80     | 'tcp://db:80' is not HOST:PORT: no scheme or path, only the host and the port",
        ":80             | ':80' is not HOST:PORT: the host is missing"})
    void shouldRejectABadUpstreamNamingTheFlagAndTheValue(final String upstream, final String expected)
    {
        assertThatThrownBy(() -> LauncherSettings.resolve(
            Map.of(Setting.PROXY_PORT, "6000", Setting.PROXY_UPSTREAM, upstream), Map.of(), null))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("--proxy-upstream: " + expected)
            .hasMessageNotContaining("\n");
    }

    @Test
    void shouldRejectAProxyThatRelaysToItselfOrSharesAPort()
    {
        assertThatThrownBy(() -> LauncherSettings.resolve(
            Map.of(Setting.PROXY_PORT, "6000", Setting.PROXY_UPSTREAM, "localhost:6000"), Map.of(), null))
            .hasMessage("--proxy-upstream: 'localhost:6000' is the proxy's own listener (--proxy-port): every" +
                " connection would relay to itself");
        assertThatThrownBy(() -> LauncherSettings.resolve(
            Map.of(Setting.PROXY_PORT, "8080", Setting.PROXY_UPSTREAM, "db:5432"), Map.of(), null))
            .hasMessage("http-port (default) and --proxy-port: both are port 8080; each listener needs its own port");
        // Relaying to another listener of the same server is fine (a demo: the proxy in front of RESP).
        assertThat(LauncherSettings.resolve(
            Map.of(Setting.PROXY_PORT, "6000", Setting.PROXY_UPSTREAM, "127.0.0.1:6380"), Map.of(), null).proxyPort())
            .isEqualTo(6000);
    }

    @Test
    void shouldServeAProxyAlone()
    {
        final LauncherSettings settings = LauncherSettings.resolve(Map.of(Setting.ECHO_PORT, "0",
            Setting.HTTP_PORT, "0", Setting.RESP_PORT, "0", Setting.PROXY_PORT, "6000",
            Setting.PROXY_UPSTREAM, "127.0.0.1:6379"), Map.of(), null);

        assertThat(settings.proxyPort()).isEqualTo(6000);
        assertThat(settings.proxyUpstream()).hasToString("127.0.0.1:6379");
    }

    private static void assertValue(final LauncherSettings settings, final Setting setting, final String expected,
        final LauncherSettings.Source source)
    {
        assertThat(settings.value(setting).text()).isEqualTo(expected);
        assertThat(settings.value(setting).source()).isEqualTo(source);
    }
}
