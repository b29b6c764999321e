package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest
{
    private static final Path CONF = Path.of("c.conf");

    @Test
    void shouldParseKeysValuesCommentsAndQuotes()
    {
        final ConfigFile file = ConfigFile.parse(CONF, List.of(
            "# coreloop",
            "; also a comment",
            "",
            "   pin = reactors=auto smt=avoid   ",
            "pin-mode=strict",
            "bind = \"0.0.0.0\"",
            "http-port =8081"));

        assertThat(file.entries()).hasSize(4);
        assertThat(file.entries().get(Setting.PIN)).isEqualTo(new ConfigFile.Entry("reactors=auto smt=avoid", "c.conf:4"));
        assertThat(file.entries().get(Setting.PIN_MODE).value()).isEqualTo("strict");
        assertThat(file.entries().get(Setting.BIND).value()).isEqualTo("0.0.0.0");
        assertThat(file.entries().get(Setting.HTTP_PORT)).isEqualTo(new ConfigFile.Entry("8081", "c.conf:7"));
    }

    @Test
    void shouldRejectAnUnknownKeyNamingTheLine()
    {
        assertThatThrownBy(() -> ConfigFile.parse(CONF, List.of("reactors = 2", "http_port = 80")))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("c.conf:2: unknown key 'http_port' (known: reactors, pin, pin-mode, bind,");
    }

    @Test
    void shouldRejectALineWithoutEquals()
    {
        assertThatThrownBy(() -> ConfigFile.parse(CONF, List.of("reactors 2")))
            .hasMessage("c.conf:1: expected 'key = value' but found 'reactors 2'");
    }

    @Test
    void shouldRejectAnEmptyValue()
    {
        assertThatThrownBy(() -> ConfigFile.parse(CONF, List.of("pin =")))
            .hasMessage("c.conf:1: pin: empty value");
        assertThatThrownBy(() -> ConfigFile.parse(CONF, List.of("pin = \"\"")))
            .hasMessage("c.conf:1: pin: empty value");
    }

    @Test
    void shouldRejectAKeyGivenTwice()
    {
        assertThatThrownBy(() -> ConfigFile.parse(CONF, List.of("http-port = 1", "#", "http-port = 2")))
            .hasMessage("c.conf:3: http-port is set twice (first at c.conf:1)");
    }

    @Test
    void shouldReadAFileAndReportAMissingOne(@TempDir final Path dir) throws IOException
    {
        final Path conf = dir.resolve("coreloop.conf");
        Files.writeString(conf, "resp-port = 6390\n");

        assertThat(ConfigFile.read(conf).entries().get(Setting.RESP_PORT).value()).isEqualTo("6390");
        assertThatThrownBy(() -> ConfigFile.read(dir.resolve("missing.conf")))
            .hasMessage("--config: '" + dir.resolve("missing.conf") + "' does not exist");
    }
}
