/**
 * The {@code acceptor} thread ({@link dev.coreloop.core.AcceptMode#ACCEPTOR_THREAD}) and the accept loop it shares
 * with reactors in {@code REUSE_PORT} mode: accept in bounded batches, apply the socket options, place each channel
 * on a reactor, and back off without spinning when the process runs out of file descriptors.
 *
 * <p>Internal to the server: public for the reactor package, not for applications, and may change without notice.
 */
package dev.coreloop.core.acceptor;
