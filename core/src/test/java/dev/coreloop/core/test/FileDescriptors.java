package dev.coreloop.core.test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

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

    /**
     * @return every open descriptor and what it points to ({@code socket:[inode]}, a path, {@code anon_inode:...}),
     * sorted by number; the descriptor used for the listing itself may appear.
     */
    public static SortedMap<Integer, String> snapshot() throws IOException
    {
        final SortedMap<Integer, String> fds = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(FD_DIR))
        {
            for (final Path entry : entries)
            {
                String target;
                try
                {
                    target = Files.readSymbolicLink(entry).toString();
                }
                catch (final IOException ex)
                {
                    target = "(closed while listing)";
                }
                fds.put(Integer.parseInt(entry.getFileName().toString()), target);
            }
        }
        return fds;
    }

    /** @return the descriptors in {@code after} that are not in {@code before} with the same target, one a line. */
    public static String added(final SortedMap<Integer, String> before, final SortedMap<Integer, String> after)
    {
        final StringBuilder sb = new StringBuilder();
        for (final Map.Entry<Integer, String> entry : after.entrySet())
        {
            if (!entry.getValue().equals(before.get(entry.getKey())))
            {
                sb.append("  fd ").append(entry.getKey()).append(" -> ").append(entry.getValue())
                    .append(System.lineSeparator());
            }
        }
        return sb.toString();
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
