package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The picocli command line, with a recording serve action instead of a server. */
class MainCommandLineTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<LauncherSettings> served = new ArrayList<>();

    private int run(final Map<String, String> env, final String... args)
    {
        return Main.execute(args, new PrintWriter(out), new PrintWriter(err), env, (settings, o, e) ->
        {
            served.add(settings);
            return Main.EXIT_OK;
        });
    }

    @Test
    void shouldServeWithTheDefaultsWhenNoOptionIsGiven()
    {
        assertThat(run(Map.of(), "serve")).isEqualTo(Main.EXIT_OK);

        assertThat(served).hasSize(1);
        assertThat(served.get(0).httpPort()).isEqualTo(8080);
        assertThat(served.get(0).pinMode()).isEqualTo("best-effort");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shouldPassFlagsAndEnvironmentToTheServer()
    {
        final int status = run(Map.of("CORELOOP_PIN", "reactors=2", "CORELOOP_HTTP_PORT", "9999"),
            "serve", "--http-port", "9090", "--resp-port=0", "--pin-mode", "off", "--reactors", "2",
            "--bind", "0.0.0.0", "--shutdown-deadline-ms", "100");

        assertThat(status).isEqualTo(Main.EXIT_OK);
        final LauncherSettings settings = served.get(0);
        assertThat(settings.httpPort()).isEqualTo(9090);
        assertThat(settings.respPort()).isEqualTo(LauncherSettings.PORT_DISABLED);
        assertThat(settings.pinSpec()).isEqualTo("reactors=2");
        assertThat(settings.value(Setting.PIN).source()).isEqualTo(LauncherSettings.Source.ENV);
        assertThat(settings.pinMode()).isEqualTo("off");
        assertThat(settings.reactorCount()).isEqualTo(2);
        assertThat(settings.bindAddress().getHostAddress()).isEqualTo("0.0.0.0");
        assertThat(settings.shutdownDeadlineMs()).isEqualTo(100);
    }

    @Test
    void shouldReadTheConfigFileBelowFlagsAndEnvironment(@TempDir final Path dir) throws IOException
    {
        final Path conf = dir.resolve("coreloop.conf");
        Files.writeString(conf, "echo-port = 17007\nhttp-port = 18080\nresp-port = 16380\n");

        final int status = run(Map.of("CORELOOP_RESP_PORT", "26380"),
            "serve", "--config", conf.toString(), "--http-port", "28080");

        assertThat(status).isEqualTo(Main.EXIT_OK);
        assertThat(served.get(0).echoPort()).isEqualTo(17007);
        assertThat(served.get(0).respPort()).isEqualTo(26380);
        assertThat(served.get(0).httpPort()).isEqualTo(28080);
    }

    @Test
    void shouldPrintResolvedSettingsOnDryRunWithoutServing()
    {
        final int status = run(Map.of("CORELOOP_PIN_MODE", "strict"), "serve", "--dry-run", "--reactors", "1");

        assertThat(status).isEqualTo(Main.EXIT_OK);
        assertThat(served).isEmpty();
        assertThat(out.toString())
            .containsPattern("pin-mode +'?= strict +\\(env CORELOOP_PIN_MODE\\)")
            .contains("effective pinning spec = reactors=1")
            .contains("plan 'reactors=1': ")
            .contains("; mode strict");
    }

    @Test
    void shouldRejectASpecThatDoesNotParseOnDryRun()
    {
        assertThat(run(Map.of(), "serve", "--dry-run", "--pin", "reactors=two")).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).startsWith("coreloop serve: --pin: pinning spec 'reactors=two'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "serve --http-port 70000   | coreloop serve: --http-port: '70000' is not a port",
        "serve --echo-port=-5      | coreloop serve: --echo-port: '-5' is not a port",
        "serve --reactors none     | coreloop serve: --reactors: 'none' is not a reactor count",
        "serve --pin-mode maybe    | coreloop serve: --pin-mode: 'maybe' is not a pin mode",
        "serve --bind somewhere    | coreloop serve: --bind: 'somewhere' is not an IP address",
        "serve --proxy-port 6000   | coreloop serve: --proxy-port: '6000' starts the proxy, which needs --proxy-upstream",
        "serve --proxy-upstream x  | coreloop serve: --proxy-upstream: 'x' is not HOST:PORT: the port is missing",
        "serve --htp-port 1        | coreloop serve: Unknown options: '--htp-port', '1'",
        "serve --http-port         | coreloop serve: Missing required parameter for option '--http-port'",
        "serve extra               | coreloop serve: Unmatched argument at index 1: 'extra'",
        "serve --config /no/such/f | coreloop serve: --config: '/no/such/f' does not exist",
        "serv                      | coreloop: Unmatched argument at index 0: 'serv'",
        "--nope                    | coreloop: Unknown option: '--nope'"})
    void shouldReportBadInputOnOneLineAndExitTwo(final String args, final String expectedStart)
    {
        final int status = run(Map.of(), args.strip().split(" +"));

        assertThat(status).isEqualTo(Main.EXIT_USAGE);
        assertThat(served).isEmpty();
        assertThat(out.toString()).isEmpty();
        final String[] lines = err.toString().split("\\R");
        assertThat(lines).hasSize(1);
        assertThat(lines[0]).startsWith(expectedStart).contains("--help");
    }

    @Test
    void shouldSuggestTheOptionMeantByATypo()
    {
        run(Map.of(), "serve", "--http-prt", "1");

        assertThat(err.toString()).contains("did you mean --http-port?");
    }

    @Test
    void shouldNameTheEnvironmentVariableThatHoldsABadValue()
    {
        assertThat(run(Map.of("CORELOOP_HTTP_PORT", "eighty"), "serve")).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).startsWith("coreloop serve: CORELOOP_HTTP_PORT: 'eighty' is not a port");
    }

    @Test
    void shouldFailWithUsageWhenNoCommandIsGiven()
    {
        assertThat(run(Map.of())).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).startsWith("coreloop: missing command");
    }

    @Test
    void shouldPrintTopLevelHelp()
    {
        assertThat(run(Map.of(), "--help")).isEqualTo(Main.EXIT_OK);

        assertThat(out.toString())
            .contains("Usage: coreloop")
            .contains("serve")
            .contains("topology")
            .contains("docs/launcher.md");
    }

    @Test
    void shouldPrintServeHelpWithEveryOptionAndItsDefault()
    {
        assertThat(run(Map.of(), "serve", "--help")).isEqualTo(Main.EXIT_OK);

        final String help = out.toString();
        for (final Setting setting : Setting.values())
        {
            assertThat(help).contains(setting.optionName());
        }
        assertThat(help)
            .contains("--config=FILE")
            .contains("Default: 8080")
            .contains("Default: 127.0.0.1")
            .contains("Precedence: flag > environment (CORELOOP_*, empty = unset) > config file >");
        assertThat(served).isEmpty();
    }

    @Test
    void shouldPrintHelpThroughTheHelpCommand()
    {
        assertThat(run(Map.of(), "help", "serve")).isEqualTo(Main.EXIT_OK);
        assertThat(out.toString()).contains("Usage: coreloop serve");
    }

    @Test
    void shouldPrintThisMachinesTopologyAndTheDefaultPlan()
    {
        assertThat(run(Map.of(), "topology")).isEqualTo(Main.EXIT_OK);

        assertThat(out.toString())
            .contains("online CPUs")
            .contains("allowed")
            .contains("plan 'reactors=auto'")
            .contains("mode: best-effort");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shouldResolveTheSpecFromTheEnvironmentAndPrintJson()
    {
        assertThat(run(Map.of("CORELOOP_PIN", "reactors=1"), "topology", "--json")).isEqualTo(Main.EXIT_OK);

        final String json = out.toString();
        assertThat(json).startsWith("{\n  \"topology\": {").endsWith("}\n")
            .contains("\"spec\": \"reactors=1\"")
            .contains("\"reactors\": 1,");
        assertThat(json.chars().filter(c -> c == '{').count()).isEqualTo(json.chars().filter(c -> c == '}').count());
    }

    @Test
    void shouldRejectABadSpecInTopologyNamingTheOption()
    {
        assertThat(run(Map.of(), "topology", "--pin", "reactors=2 reactors=3")).isEqualTo(Main.EXIT_USAGE);

        assertThat(err.toString()).startsWith("coreloop topology: --pin: pinning spec 'reactors=2 reactors=3'")
            .endsWith("(see 'coreloop topology --help')" + System.lineSeparator());
    }
}
