package dev.coreloop.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A coreloop config file: one {@code key = value} per line, keys as the {@code serve} flags without their dashes
 * ({@code http-port = 8080}, {@code pin = reactors=auto smt=avoid}). The value is everything after the first
 * {@code =}, trimmed; one pair of surrounding double quotes is removed. Lines starting with {@code #} or
 * {@code ;} and blank lines are ignored. An unknown key, a line without {@code =}, an empty value or a key given
 * twice is an error naming the file and line.
 *
 * <p><b>Threading:</b> immutable once parsed; any thread.
 */
public final class ConfigFile
{
    /** One value and the {@code file:line} it came from. */
    public record Entry(String value, String location)
    {
    }

    private final Path path;
    private final Map<Setting, Entry> entries;

    private ConfigFile(final Path path, final Map<Setting, Entry> entries)
    {
        this.path = path;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** @return the file's entries by setting; settings the file does not name are absent. */
    public Map<Setting, Entry> entries()
    {
        return entries;
    }

    /** @return the file this was read from. */
    public Path path()
    {
        return path;
    }

    /**
     * Reads and parses {@code path}.
     *
     * @throws ConfigException if the file cannot be read or a line is malformed.
     */
    public static ConfigFile read(final Path path)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigException("--config: '" + path + "' does not exist", ex);
        }
        catch (final IOException ex)
        {
            throw new ConfigException("--config: cannot read '" + path + "': " + ex, ex);
        }
        return parse(path, lines);
    }

    /**
     * Parses lines already read from {@code path} (used by tests).
     *
     * @throws ConfigException if a line is malformed.
     */
    public static ConfigFile parse(final Path path, final List<String> lines)
    {
        final Map<Setting, Entry> entries = new EnumMap<>(Setting.class);
        for (int i = 0; i < lines.size(); i++)
        {
            final String location = path + ":" + (i + 1);
            final String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))
            {
                continue;
            }
            final int equalsIndex = line.indexOf('=');
            if (equalsIndex < 0)
            {
                throw new ConfigException(location + ": expected 'key = value' but found '" + line + "'");
            }
            final String key = line.substring(0, equalsIndex).strip();
            final Setting setting = Setting.forKey(key);
            if (setting == null)
            {
                throw new ConfigException(location + ": unknown key '" + key + "' (known: " + knownKeys() + ")");
            }
            final String value = unquote(line.substring(equalsIndex + 1).strip());
            if (value.isEmpty())
            {
                throw new ConfigException(location + ": " + key + ": empty value");
            }
            final Entry previous = entries.putIfAbsent(setting, new Entry(value, location));
            if (previous != null)
            {
                throw new ConfigException(
                    location + ": " + key + " is set twice (first at " + previous.location() + ")");
            }
        }
        return new ConfigFile(path, entries);
    }

    private static String unquote(final String value)
    {
        if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"')
        {
            return value.substring(1, value.length() - 1).strip();
        }
        return value;
    }

    private static String knownKeys()
    {
        final StringBuilder keys = new StringBuilder();
        for (final Setting setting : Setting.values())
        {
            if (keys.length() > 0)
            {
                keys.append(", ");
            }
            keys.append(setting.key());
        }
        return keys.toString();
    }
}
