package dev.coreloop.examples.proxy;

import dev.coreloop.core.CloseReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyConfigTest
{
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:6379      | 127.0.0.1   | 6379",
        "db.internal:5432    | db.internal | 5432",
        "' localhost:1 '     | localhost   | 1",
        "[::1]:8080          | ::1         | 8080",
        "[fe80::1%eth0]:80   | -           | -",
        "upstream_1:65535    | upstream_1  | 65535"})
    void shouldParseHostAndPort(final String text, final String host, final String port)
    {
        if ("-".equals(host))
        {
            assertThatThrownBy(() -> ProxyConfig.parseHostPort(text)).isInstanceOf(IllegalArgumentException.class);
            return;
        }
        final ProxyConfig.HostPort parsed = ProxyConfig.parseHostPort(text);
        assertThat(parsed.host()).isEqualTo(host);
        assertThat(parsed.port()).isEqualTo(Integer.parseInt(port));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "db.internal      | the port is missing",
        "db.internal:     | the port '' is not in 1-65535",
        ":6379            | the host is missing",
        "db:0             | the port '0' is not in 1-65535",
        "db:65536         | the port '65536' is not in 1-65535",
        "db:http          | the port 'http' is not in 1-65535",
        "db:+80           | the port '+80' is not in 1-65535",
        "::1:8080         | an IPv6 address needs brackets",
        "[::1             | the '[' of an IPv6 address is not closed",
        "[::1]8080        | the port is missing",
        "[db.internal]:80 | 'db.internal' is not an IPv6 address",
        "d b:80           | 'd b' is not a host name or IP address",
        "http://db:80     | no scheme or path, only the host and the port"})
    void shouldRejectBadHostPortSayingWhy(final String text, final String problem)
    {
        assertThatThrownBy(() -> ProxyConfig.parseHostPort(text))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("'" + text + "' is not HOST:PORT: " + problem)
            .hasMessageEndingWith("(e.g. 127.0.0.1:6379, db.internal:5432, [::1]:8080)");
    }

    @Test
    void shouldRejectAnEmptyHostPort()
    {
        assertThatThrownBy(() -> ProxyConfig.parseHostPort("  ")).hasMessageStartingWith("'  ' is not HOST:PORT: it is empty");
        assertThatThrownBy(() -> ProxyConfig.parseHostPort(null)).hasMessageStartingWith("'null' is not HOST:PORT");
    }

    @Test
    void shouldConcludeResolvingBothAddresses()
    {
        final ProxyConfig config = new ProxyConfig().port(7000).upstream("127.0.0.1:6379").connectTimeoutMs(250)
            .conclude();

        assertThat(config.listenAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(config.listenAddress().getPort()).isEqualTo(7000);
        assertThat(config.upstreamAddress().isUnresolved()).isFalse();
        assertThat(config.upstreamAddress().getPort()).isEqualTo(6379);
        assertThat(config.connectTimeoutMs()).isEqualTo(250);
        assertThat(config.conclude()).isSameAs(config);
        assertThatThrownBy(() -> config.port(1)).isInstanceOf(IllegalStateException.class)
            .hasMessage("ProxyConfig is concluded (frozen): cannot set port");
    }

    @Test
    void shouldNameTheFieldAndTheValueOfAnInvalidSetting()
    {
        assertThatThrownBy(() -> new ProxyConfig().conclude())
            .hasMessageStartingWith("ProxyConfig.upstreamHost=null: must be set");
        assertThatThrownBy(() -> new ProxyConfig().upstreamHost("127.0.0.1").conclude())
            .hasMessage("ProxyConfig.upstreamPort=0: must be in 1..65535");
        assertThatThrownBy(() -> new ProxyConfig().upstream("127.0.0.1:1").port(70_000).conclude())
            .hasMessage("ProxyConfig.port=70000: must be in 0..65535 (0 lets the OS pick one)");
        assertThatThrownBy(() -> new ProxyConfig().upstream("127.0.0.1:1").connectTimeoutMs(0).conclude())
            .hasMessage("ProxyConfig.connectTimeoutMs=0: must be in 1..600000");
        assertThatThrownBy(() -> new ProxyConfig().upstream("127.0.0.1:1").bindHost(" ").conclude())
            .hasMessage("ProxyConfig.bindHost= : must not be empty");
        assertThatThrownBy(() -> new ProxyConfig().listenAddress())
            .hasMessage("ProxyConfig.listenAddress(): call conclude() first");
    }

    @ParameterizedTest
    @EnumSource(CloseReason.class)
    void shouldResetThePartnerOnlyAfterAnAbnormalEnd(final CloseReason reason)
    {
        final boolean abnormal = switch (reason)
        {
            case PEER_RESET, IO_ERROR, ABORTED, HANDLER_ERROR, WRITE_STALL_TIMEOUT, DRAIN_TIMEOUT, INBOUND_OVERFLOW,
                ILLEGAL_TRANSITION, REACTOR_FAILED -> true;
            case NONE, LOCAL_CLOSE, PEER_CLOSED, IDLE_TIMEOUT, PROTOCOL_ERROR, SERVER_SHUTDOWN, CONNECT_FAILED,
                CONNECT_TIMEOUT, REJECTED -> false;
        };
        assertThat(ProxyRelay.isAbnormal(reason)).as(reason.name()).isEqualTo(abnormal);
    }
}
