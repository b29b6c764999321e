/**
 * The public API of a coreloop server: configure a {@link dev.coreloop.core.ServerContext}, start a
 * {@link dev.coreloop.core.Server} (one acceptor, N pinned single-threaded reactors), and serve each connection with
 * a {@link dev.coreloop.core.ConnectionHandler} that reads and writes through its
 * {@link dev.coreloop.core.Connection} and reaches its reactor through {@link dev.coreloop.core.ReactorContext}.
 *
 * <p>Thread rules: a connection and its reactor context are used only on the reactor that owns them (each method
 * checks); from any other thread use {@link dev.coreloop.core.Server#execute(long, java.util.function.Consumer)} or
 * {@link dev.coreloop.core.ReactorContext#execute(int, Runnable)}. The annotations
 * {@link dev.coreloop.core.ReactorThread}, {@link dev.coreloop.core.AcceptorThread} and
 * {@link dev.coreloop.core.AnyThread} document where each method may run.
 *
 * <p>The JVM that runs a server needs {@value dev.coreloop.core.Server#REQUIRED_JVM_OPTION}: Agrona 2 calls
 * {@code jdk.internal.misc.Unsafe}. {@link dev.coreloop.core.Server#start} checks for it first and names it when it is
 * missing.
 */
package dev.coreloop.core;
