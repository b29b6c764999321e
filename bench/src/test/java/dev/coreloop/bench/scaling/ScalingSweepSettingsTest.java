package dev.coreloop.bench.scaling;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScalingSweepSettingsTest
{
    @Test
    void shouldSweepHalfThePhysicalCoresByDefault()
    {
        final ScalingSweep.Settings s = ScalingSweep.Settings.parse(new String[0], 8);
        assertThat(s.reactors).containsExactly(1, 2, 3, 4);
        assertThat(s.servers).containsExactly("coreloop", "netty-nio", "netty-epoll", "vthreads", "blocking");
        assertThat(s.protocols).containsExactly("echo", "http", "http-p16", "resp");
        assertThat(s.out.getParent()).isEqualTo(Path.of("results"));
    }

    @Test
    void shouldLetOptionsBesideSmokeOverrideItInAnyOrder()
    {
        for (final String[] args : List.of(new String[] {"--smoke", "--servers", "coreloop"},
            new String[] {"--servers", "coreloop", "--smoke"}))
        {
            final ScalingSweep.Settings s = ScalingSweep.Settings.parse(args, 2);
            assertThat(s.servers).containsExactly("coreloop");
            assertThat(s.reactors).containsExactly(1, 2);
            assertThat(s.iterationMs).isEqualTo(400);
        }
    }

    @Test
    void shouldParseReactorListsAndRanges()
    {
        assertThat(ScalingSweep.Settings.parse(new String[] {"--reactors", "1-3,8"}, 2).reactors)
            .containsExactly(1, 2, 3, 8);
    }

    @Test
    void shouldNameTheOptionAndValueOfABadArgument()
    {
        assertThatThrownBy(() -> ScalingSweep.Settings.parse(new String[] {"--iterations", "0"}, 2))
            .hasMessage("--iterations must be a positive integer but was '0'");
        assertThatThrownBy(() -> ScalingSweep.Settings.parse(new String[] {"--servers", "tomcat"}, 2))
            .hasMessageContaining("'tomcat'");
        assertThatThrownBy(() -> ScalingSweep.Settings.parse(new String[] {"--reactors", "0-2"}, 2))
            .hasMessageContaining("--reactors '0-2'");
        assertThatThrownBy(() -> ScalingSweep.Settings.parse(new String[] {"--bogus", "1"}, 2))
            .hasMessageContaining("unknown option --bogus");
    }
}
