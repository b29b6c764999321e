/**
 * The server's counters: one row of {@link dev.coreloop.core.status.ReactorCounter}s per reactor and one for the
 * acceptor, in an Agrona counters buffer ({@link dev.coreloop.core.status.ServerCounters}), each written by one
 * thread and read by any without locks; {@link dev.coreloop.core.Server#counters()} returns a
 * {@link dev.coreloop.core.status.CountersSnapshot}. With {@code ServerContext.countersDirectory(..)} set the buffers
 * live in a memory-mapped {@link dev.coreloop.core.status.CountersFile} that another process (such as
 * {@code coreloop stat}) reads with a {@link dev.coreloop.core.status.CountersFileReader}.
 */
package dev.coreloop.core.status;
