package dev.coreloop.affinity.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small sysfs/procfs/cgroupfs-like trees into a test's temporary directory. */
public final class TreeWriter
{
    private TreeWriter()
    {
    }

    /** Writes {@code content} plus a newline (as the kernel does) to {@code root/relative}, creating parents. */
    public static void write(final Path root, final String relative, final String content)
    {
        final Path file = root.resolve(relative);
        try
        {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content + "\n");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
