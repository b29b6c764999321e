package dev.coreloop.examples.resp;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis glob semantics (util.c {@code stringmatchlen}), and the cost of matching: linear in the text per pattern
 * position, with no recursion, so no pattern can freeze a reactor or overflow its stack.
 */
class GlobTest
{
    @ParameterizedTest(name = "''{0}'' ~ ''{1}'' = {2}")
    @CsvSource(delimiter = '|', value = {
        // literals
        "save|save|true",
        "save|saves|false",
        "saves|save|false",
        "|''|true",
        "save|''|false",
        // ?
        "sav?|save|true",
        "?ave|save|true",
        "????|save|true",
        "???|save|false",
        // *
        "*|save|true",
        "*|''|true",
        "**|save|true",
        "s*|save|true",
        "*e|save|true",
        "*v*|save|true",
        "s*e|save|true",
        "s*x|save|false",
        "*a*e|save|true",
        "a*|save|false",
        "*save*|save|true",
        "s**e|se|true",
        "*-*-*|proto-max-bulk-len|true",
        "*max*len|proto-max-bulk-len|true",
        "*max*lenx|proto-max-bulk-len|false",
        "io-*s|io-threads|true",
        // classes
        "[abc]ave|save|false",
        "[sab]ave|save|true",
        "[^abc]ave|save|true",
        "[^s]ave|save|false",
        "[a-z]ave|save|true",
        "[z-a]ave|save|true",
        "[0-9]ave|save|false",
        "[^0-9]ave|save|true",
        "[a-cs]ave|save|true",
        "[]]|]|false",
        "[]|x|false",
        "[\\]]|]|true",
        "[\\-]|-|true",
        "[a\\-z]|m|false",
        "[a\\-z]|-|true",
        "[abc|c|true",
        "[abc|x|false",
        "[^|x|true",
        "[|[|false",
        "x[a-]|x]|true",
        // escapes
        "\\*|*|true",
        "\\*|a|false",
        "\\?|?|true",
        "\\?|a|false",
        "\\[a]|[a]|true",
        "a\\\\b|a\\b|true",
        "ab\\|ab\\|true",
        "\\s\\a\\v\\e|save|true",
        // case
        "SAVE|save|false",
        "[A-Z]ave|save|false",
    })
    void shouldMatchLikeRedis(final String pattern, final String text, final boolean expected)
    {
        assertThat(Glob.matches(pattern == null ? "" : pattern, text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "''{0}'' ~ ''{1}'' = {2}")
    @CsvSource(delimiter = '|', value = {
        "SAVE|save|true",
        "APPEND*|appendonly|true",
        "[A-Z]ave|save|true",
        "[^A-Z]ave|save|false",
        "[S]ave|save|true",
        "\\SAVE|save|true",
        "[\\S]ave|save|false",
    })
    void shouldIgnoreCaseWhenAskedLikeRedisConfigGet(final String pattern, final String text, final boolean expected)
    {
        assertThat(Glob.matches(pattern, text, true)).isEqualTo(expected);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldFailPathologicalPatternsWithoutBacktrackingExponentially()
    {
        final String text = "a".repeat(10_000);
        assertThat(Glob.matches("*a".repeat(30) + "b", text)).isFalse();
        assertThat(Glob.matches("*".repeat(30) + "b", text)).isFalse();
        assertThat(Glob.matches("a*".repeat(30) + "?b", text)).isFalse();
        assertThat(Glob.matches("*a".repeat(30) + "a", text)).isTrue();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldMatchAPatternOfTwoHundredThousandStarsWithoutRecursion()
    {
        assertThat(Glob.matches("*".repeat(200_000), "proto-max-bulk-len")).isTrue();
        assertThat(Glob.matches("*".repeat(200_000) + "x", "proto-max-bulk-len")).isFalse();
        assertThat(Glob.matches("*?".repeat(100_000), "save")).isFalse();
        assertThat(Glob.matches("*?".repeat(4), "save")).isTrue();
    }
}
