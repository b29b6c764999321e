/**
 * Off-heap memory for connections: a reactor-local {@link dev.coreloop.buffers.BufferPool} that carves one slab
 * into fixed-size chunks, and the {@link dev.coreloop.buffers.ByteRing} each direction of a connection reads into
 * or writes from, growing and shrinking in runs of chunks up to a cap.
 *
 * <p>Built on Agrona buffers; no selector code and nothing that reads a clock. Everything here is owned by one
 * thread (a reactor) and takes no locks.
 */
package dev.coreloop.buffers;
