package dev.coreloop.affinity;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A second process for {@link CpuClaimsIT}: prints {@code ready}, waits for a line on stdin, claims the CPUs given on
 * the command line in the directory given, prints {@code claimed=<set>}, holds the claims until the next line, then
 * releases them and exits.
 */
public final class CpuClaimsChild
{
    private CpuClaimsChild()
    {
    }

    /**
     * Entry point.
     *
     * @param args the claim directory, then the CPU list to claim (e.g. {@code 0-7}).
     * @throws Exception on any I/O problem (the test then sees no {@code claimed=} line).
     */
    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final Map<Integer, String> roles = new TreeMap<>();
        for (final int cpu : CpuSet.parse(args[1]).toArray())
        {
            roles.put(cpu, "reactor-" + roles.size());
        }
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        in.readLine();
        try (CpuClaims claims = CpuClaims.claim(dir, roles))
        {
            System.out.println("claimed=" + claims.claimed());
            System.out.flush();
            in.readLine();
        }
    }
}
