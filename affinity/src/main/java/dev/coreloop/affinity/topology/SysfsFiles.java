package dev.coreloop.affinity.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.coreloop.affinity.CpuSet;

/**
 * Small helpers for reading one-line sysfs, procfs and cgroupfs files.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
final class SysfsFiles
{
    private SysfsFiles()
    {
    }

    /**
     * {@return the file's content with surrounding whitespace removed, or null when it does not exist or cannot be
     * read}
     */
    static String readTrimmed(final Path file)
    {
        if (!Files.isRegularFile(file))
        {
            return null;
        }
        try
        {
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /** {@return the file parsed as a CPU list, or null when absent} */
    static CpuSet readCpuList(final Path file)
    {
        final String text = readTrimmed(file);
        if (text == null)
        {
            return null;
        }
        try
        {
            return CpuSet.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(file + ": " + ex.getMessage(), ex);
        }
    }

    /** {@return the file parsed as a decimal integer, or {@code absent} when the file does not exist} */
    static long readLong(final Path file, final long absent)
    {
        final String text = readTrimmed(file);
        if (text == null)
        {
            return absent;
        }
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(file + ": '" + text + "' is not a number", ex);
        }
    }
}
