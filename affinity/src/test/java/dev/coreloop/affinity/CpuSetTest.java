package dev.coreloop.affinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CpuSetTest
{
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0-3,8,10-11 | 0-3,8,10-11 | 7",
        "0           | 0           | 1",
        "3,1,2       | 1-3         | 3",
        "' 0 - 1 , 5 '| 0-1,5      | 3",
        "5-5         | 5           | 1",
        "0-1,1-2     | 0-2         | 3",
        "''          | ''          | 0",
    })
    void shouldParseKernelListForm(final String text, final String printed, final int size)
    {
        final CpuSet set = CpuSet.parse(text);
        assertThat(set.toString()).isEqualTo(printed);
        assertThat(set.size()).isEqualTo(size);
        assertThat(CpuSet.parse(set.toString())).isEqualTo(set);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0-a      | bad CPU list '0-a': 'a' at position 0 is not a CPU number",
        "1,,2     | bad CPU list '1,,2': empty item at position 2",
        "3-1      | bad CPU list '3-1': range '3-1' at position 0 runs backwards",
        "0,-2     | bad CPU list '0,-2': missing CPU number at position 2",
        "1,       | bad CPU list '1,': empty item at position 2",
        "99999    | bad CPU list '99999': CPU 99999 at position 0 is above 8191",
        "cpu1     | bad CPU list 'cpu1': 'cpu1' at position 0 is not a CPU number",
    })
    void shouldNameTheBadItemAndPosition(final String text, final String message)
    {
        assertThatThrownBy(() -> CpuSet.parse(text))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
    }

    @Test
    void shouldKeepOrderAndRepeatsInSequence()
    {
        assertThat(CpuSet.parseSequence("4,2-3,3")).containsExactly(4, 2, 3, 3);
    }

    @Test
    void shouldComputeSetAlgebra()
    {
        final CpuSet a = CpuSet.parse("0-7");
        final CpuSet b = CpuSet.parse("4-11");
        assertThat(a.intersect(b).toString()).isEqualTo("4-7");
        assertThat(a.minus(b).toString()).isEqualTo("0-3");
        assertThat(a.union(b).toString()).isEqualTo("0-11");
        assertThat(a.containsAll(CpuSet.of(1, 7))).isTrue();
        assertThat(a.containsAll(CpuSet.of(1, 8))).isFalse();
        assertThat(a.first()).isZero();
        assertThat(a.next(7)).isEqualTo(-1);
        assertThat(a.last()).isEqualTo(7);
        assertThat(CpuSet.empty().last()).isEqualTo(-1);
        assertThat(CpuSet.empty().first()).isEqualTo(-1);
    }
}
