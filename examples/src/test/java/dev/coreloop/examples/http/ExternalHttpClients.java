package dev.coreloop.examples.http;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real HTTP clients for integration tests, run as processes (curl, wrk) or over a raw socket (for requests
 * curl will not send). Shared with the bench module's Netty peer test through the examples test-jar.
 *
 * <p><b>Threading:</b> stateless; each call blocks the calling test thread, bounded by a timeout.
 */
public final class ExternalHttpClients
{
    private static final long PROCESS_TIMEOUT_MS = 30_000;
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS =
        Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern REQUESTS_PER_SEC = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

    private ExternalHttpClients()
    {
    }

    /** What a finished process left behind. */
    public record ProcessResult(int exitCode, String stdout, String stderr)
    {
    }

    /** What a raw exchange received, and whether the server closed the connection (EOF) before the timeout. */
    public record RawResponse(String text, boolean closedByServer)
    {
    }

    /** The figures of one wrk run, parsed from its report. */
    public record WrkResult(long requests, long non2xxResponses, long socketErrors, double requestsPerSec, String report)
    {
    }

    /** @return whether an executable called {@code tool} is on the PATH. */
    public static boolean onPath(final String tool)
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return false;
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            final File candidate = new File(dir, tool);
            if (candidate.isFile() && candidate.canExecute())
            {
                return true;
            }
        }
        return false;
    }

    /** Runs a command to completion (killed after 30 s, which fails the call). */
    public static ProcessResult run(final String... command) throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("coreloop-client", ".out");
        final Path err = Files.createTempFile("coreloop-client", ".err");
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
            process.getOutputStream().close();
            if (!process.waitFor(PROCESS_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("timed out after " + PROCESS_TIMEOUT_MS + " ms: " + Arrays.toString(command));
            }
            return new ProcessResult(process.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.ISO_8859_1));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs curl with a 10 s cap on the transfer and returns its stdout (its exit code must be 0). */
    public static String curl(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("curl", "--max-time", "10", "-sS"));
        command.addAll(List.of(args));
        final ProcessResult result = run(command.toArray(new String[0]));
        if (result.exitCode() != 0)
        {
            throw new IllegalStateException("curl exited with " + result.exitCode() + ": " + result.stderr() +
                " for " + command);
        }
        return result.stdout();
    }

    /** @return the status code curl saw, as text ("000" if it got no response). */
    public static String curlStatus(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("-o", "/dev/null", "-w", "%{http_code}"));
        command.addAll(List.of(args));
        return curl(command.toArray(new String[0]));
    }

    /**
     * Runs {@code wrk -t threads -c connections -d durationS url} (with the script when not null).
     */
    public static WrkResult wrk(
        final String url, final int threads, final int connections, final int durationS, final Path script)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections,
            "-d" + durationS + "s", "--timeout", "5s"));
        if (script != null)
        {
            command.add("-s");
            command.add(script.toString());
        }
        command.add(url);
        final ProcessResult result = run(command.toArray(new String[0]));
        if (result.exitCode() != 0)
        {
            throw new IllegalStateException("wrk exited with " + result.exitCode() + ": " + result.stderr());
        }
        return parseWrk(result.stdout());
    }

    /** Parses wrk's report; a report without a request count is an error. */
    public static WrkResult parseWrk(final String report)
    {
        final Matcher requests = REQUESTS.matcher(report);
        final Matcher rate = REQUESTS_PER_SEC.matcher(report);
        if (!requests.find() || !rate.find())
        {
            throw new IllegalStateException("not a wrk report: " + report);
        }
        final Matcher non2xx = NON_2XX.matcher(report);
        final Matcher errors = SOCKET_ERRORS.matcher(report);
        long socketErrors = 0;
        if (errors.find())
        {
            for (int group = 1; group <= 4; group++)
            {
                socketErrors += Long.parseLong(errors.group(group));
            }
        }
        return new WrkResult(Long.parseLong(requests.group(1)), non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0,
            socketErrors, Double.parseDouble(rate.group(1)), report);
    }

    /**
     * Writes wrk's pipelining script (its pipeline.lua pattern): every write carries {@code depth} requests.
     *
     * @return the script, in {@code dir}.
     */
    public static Path pipelineScript(final Path dir, final String path, final int depth) throws IOException
    {
        final String lua = "init = function(args)\n" +
            "  local r = {}\n" +
            "  for i = 1, " + depth + " do\n" +
            "    r[i] = wrk.format(nil, \"" + path + "\")\n" +
            "  end\n" +
            "  req = table.concat(r)\n" +
            "end\n" +
            "request = function()\n" +
            "  return req\n" +
            "end\n";
        return Files.writeString(dir.resolve("pipeline.lua"), lua);
    }

    /**
     * Sends raw bytes and reads until the server closes the connection or {@code timeoutMs} passes without
     * data, whichever is first.
     *
     * @return everything received, and whether it ended with the server's close.
     */
    public static RawResponse raw(final InetSocketAddress address, final String request, final int timeoutMs)
        throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(address, timeoutMs);
            socket.setSoTimeout(timeoutMs);
            final OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            final InputStream in = socket.getInputStream();
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            final byte[] chunk = new byte[8192];
            boolean closed = false;
            try
            {
                int n;
                while ((n = in.read(chunk)) >= 0)
                {
                    received.write(chunk, 0, n);
                }
                closed = true;
            }
            catch (final SocketTimeoutException ignore)
            {
                // keep-alive: the server is waiting for the next request; what arrived is the answer
            }
            catch (final java.net.SocketException reset)
            {
                closed = true; // a reset also ends the exchange; the test checks what arrived before it
            }
            return new RawResponse(received.toString(StandardCharsets.ISO_8859_1), closed);
        }
    }
}
