package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DirectMemoryCheckTest
{
    private static final long MIB = 1 << 20;

    @Test
    void shouldWarnOnlyWhenThePoolsCannotFit()
    {
        assertThat(DirectMemoryCheck.warning(2, 64 * MIB, 192 * MIB)).as("the script's limit for 2 CPUs").isNull();
        assertThat(DirectMemoryCheck.warning(2, 64 * MIB, -1)).as("unknown limit").isNull();
        assertThat(DirectMemoryCheck.warning(4, 64 * MIB, 192 * MIB))
            .isEqualTo("coreloop: warning: the JVM's direct-memory limit (192 MiB) is below what 4 reactor buffer" +
                " pools of 64 MiB may take, plus 16 MiB for the JDK (272 MiB); under load, ring growth past it is" +
                " refused (BUFFER_EXHAUSTED). Raise it: JAVA_OPTS=-XX:MaxDirectMemorySize=272m");
    }

    @Test
    void shouldReadThisJvmsLimit()
    {
        assertThat(DirectMemoryCheck.jvmLimitBytes()).isPositive();
    }
}
