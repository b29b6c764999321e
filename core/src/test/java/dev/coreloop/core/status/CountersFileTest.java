package dev.coreloop.core.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountersFileTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldWriteCountersThatAReaderOfTheFileSeesByRowAndCounter() throws IOException
    {
        final Path dir = tmp.resolve("coreloop-1");
        final ServerCounters counters = ServerCounters.mapped(2, dir);
        counters.counter(1, ReactorCounter.BYTES_READ).setRelease(12345);
        counters.counter(counters.acceptorRow(), ReactorCounter.ACCEPTOR_ACCEPTED).setRelease(7);

        try (CountersFileReader reader = CountersFileReader.open(dir))
        {
            assertThat(reader.reactorCount()).isEqualTo(2);
            assertThat(reader.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(reader.serverStateName()).isEqualTo("running");
            assertThat(reader.value(1, ReactorCounter.BYTES_READ)).isEqualTo(12345);
            assertThat(reader.value(0, ReactorCounter.BYTES_READ)).isZero();
            assertThat(reader.value(reader.acceptorRow(), ReactorCounter.ACCEPTOR_ACCEPTED)).isEqualTo(7);
            assertThat(reader.value(0, ReactorCounter.CURRENT_CPU)).isEqualTo(-1);
            assertThat(reader.staleReason(System.currentTimeMillis())).isNull();

            counters.counter(1, ReactorCounter.BYTES_READ).setRelease(20000);
            counters.heartbeat(0, reader.serverStartMs() + 1234);
            assertThat(reader.value(1, ReactorCounter.BYTES_READ)).isEqualTo(20000);
            assertThat(reader.heartbeatMs()).isEqualTo(reader.serverStartMs() + 1234);
            assertThat(reader.value(0, ReactorCounter.HEARTBEAT_MS)).isEqualTo(reader.serverStartMs() + 1234);
            assertThat(reader.staleReason(reader.serverStartMs() + 1234 + CountersFile.HEARTBEAT_STALE_MS + 1000))
                .startsWith("no heartbeat for 6 s");
        }
        assertThat(counters.close()).isNull();
        assertThat(dir).doesNotExist();
        // The values stay readable in the writing process after the file is gone.
        assertThat(counters.value(1, ReactorCounter.BYTES_READ)).isEqualTo(20000);
    }

    @Test
    void shouldFindEveryCounterOfEveryRowInTheFile() throws IOException
    {
        final Path dir = tmp.resolve("all");
        final ServerCounters counters = ServerCounters.mapped(3, dir);
        for (int row = 0; row <= counters.acceptorRow(); row++)
        {
            for (final ReactorCounter counter : ReactorCounter.values())
            {
                counters.counter(row, counter).setRelease(row * 1000L + counter.id() + 1);
            }
        }
        try (CountersFileReader reader = CountersFileReader.open(dir.resolve(CountersFile.FILE_NAME)))
        {
            final long[][] values = new long[reader.reactorCount() + 1][ReactorCounter.ID_LIMIT];
            reader.snapshot(values);
            for (int row = 0; row <= reader.acceptorRow(); row++)
            {
                for (final ReactorCounter counter : ReactorCounter.values())
                {
                    assertThat(values[row][counter.id()]).as("row %d %s", row, counter)
                        .isEqualTo(row * 1000L + counter.id() + 1);
                }
            }
        }
        counters.close();
    }

    @Test
    void shouldLabelEachCounterWithItsRole() throws IOException
    {
        final ServerCounters counters = ServerCounters.mapped(1, tmp.resolve("d"));
        final StringBuilder labels = new StringBuilder();
        counters.reader().forEach((id, label) -> labels.append(label).append('\n'));
        assertThat(labels).contains("reactor-0: connections accepted and registered\n")
            .contains("acceptor: accept back-offs after EMFILE/ENFILE\n");
        counters.close();
    }

    @Test
    void shouldSayNotReadyBeforeTheVersionIsPublishedAndRefuseAnotherLayout() throws IOException
    {
        final Path file = tmp.resolve(CountersFile.FILE_NAME);
        Files.write(file, new byte[CountersFile.HEADER_LENGTH + 64]);
        assertThatThrownBy(() -> CountersFileReader.open(file)).isInstanceOf(CountersFileReader.NotReadyException.class)
            .hasMessageContaining("still writing the header");

        final byte[] bytes = new byte[CountersFile.HEADER_LENGTH + 64];
        bytes[CountersFile.LAYOUT_VERSION_OFFSET] = 99;
        Files.write(file, bytes);
        assertThatThrownBy(() -> CountersFileReader.open(file)).isInstanceOf(IOException.class)
            .hasMessageContaining("layout version 99, this reader knows 1");

        Files.write(file, new byte[10]);
        assertThatThrownBy(() -> CountersFileReader.open(file)).isInstanceOf(CountersFileReader.NotReadyException.class);
        assertThatThrownBy(() -> CountersFileReader.open(tmp.resolve("nothing")))
            .hasMessageEndingWith("no such counters file");
    }

    @Test
    void shouldCallAFileOfADeadProcessStale() throws IOException
    {
        final Path dir = tmp.resolve("coreloop-dead");
        final ServerCounters counters = ServerCounters.mapped(1, dir);
        final Path copy = tmp.resolve("copy.dat");
        Files.copy(dir.resolve(CountersFile.FILE_NAME), copy);
        counters.close();
        // Point the copy at a pid that does not run: the largest pid Linux allows is 2^22.
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(copy,
            java.nio.file.StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer pid = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder());
            channel.write(pid.putLong(0, (1L << 22) + 1), CountersFile.PID_OFFSET);
        }
        try (CountersFileReader reader = CountersFileReader.open(copy))
        {
            assertThat(reader.pid()).isEqualTo((1L << 22) + 1);
            assertThat(reader.staleReason(System.currentTimeMillis())).startsWith("process 4194305 is not running");
        }
    }

    @Test
    void shouldMarkTheStateStoppedAndDeleteOnlyAnEmptyDirectory() throws IOException
    {
        final Path dir = tmp.resolve("shared");
        final ServerCounters counters = ServerCounters.mapped(1, dir);
        Files.writeString(dir.resolve("other"), "kept");
        try (CountersFileReader reader = CountersFileReader.open(dir))
        {
            counters.serverState(CountersFile.STATE_DRAINING);
            assertThat(reader.serverStateName()).isEqualTo("draining");
            assertThat(counters.close()).isNull();
            assertThat(reader.serverStateName()).isEqualTo("stopped");
            assertThat(reader.staleReason(System.currentTimeMillis())).isEqualTo("the server stopped");
        }
        assertThat(dir.resolve(CountersFile.FILE_NAME)).doesNotExist();
        assertThat(dir.resolve("other")).exists();
    }

    @Test
    void shouldPreferTheRuntimeDirectoryOfSystemd()
    {
        assertThat(CountersFile.defaultDirectory(Map.of("RUNTIME_DIRECTORY", "/run/coreloop:/run/other"), 42))
            .isEqualTo(Path.of("/run/coreloop/coreloop-42"));
        assertThat(CountersFile.defaultDirectory(Map.of(), 42).getFileName().toString()).isEqualTo("coreloop-42");
    }
}
