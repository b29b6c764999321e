package dev.coreloop.affinity;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Locates the topology fixture trees under src/test/resources/topology. */
final class Fixtures
{
    static final String SERVER = "server-2s-smt";
    static final String DESKTOP = "desktop-smt";
    static final String HYBRID = "hybrid";
    static final String VM = "vm-nosmt";
    static final String CONTAINER = "container-subset";
    static final String OFFLINE = "offline-cpu";

    private Fixtures()
    {
    }

    static Path root(final String name)
    {
        final URL url = Fixtures.class.getResource("/topology/" + name);
        if (url == null)
        {
            throw new IllegalArgumentException("no fixture " + name);
        }
        try
        {
            return Path.of(url.toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static CpuTopology topology(final String name)
    {
        return CpuTopology.detect(root(name));
    }
}
