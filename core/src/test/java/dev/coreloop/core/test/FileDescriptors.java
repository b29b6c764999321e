package dev.coreloop.core.test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts this process's open file descriptors through {@code /proc/self/fd} (Linux), for leak checks.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class FileDescriptors
{
    private static final Path FD_DIR = Path.of("/proc/self/fd");

    private FileDescriptors()
    {
    }

    /** @return true where {@code /proc/self/fd} exists. */
    public static boolean supported()
    {
        return Files.isDirectory(FD_DIR);
    }

    /** @return the number of open descriptors (including the one used to list the directory). */
    public static int count() throws IOException
    {
        int count = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(FD_DIR))
        {
            for (final Path ignored : entries)
            {
                count++;
            }
        }
        return count;
    }
}
