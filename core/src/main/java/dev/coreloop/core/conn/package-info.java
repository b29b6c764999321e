/**
 * The connection lifecycle as a pure state machine: the {@link dev.coreloop.core.conn.ConnState states},
 * {@link dev.coreloop.core.conn.ConnEvent events}, the literal transition table
 * ({@link dev.coreloop.core.conn.ConnTransitions}, the same matrix as {@code docs/connection-states.md}) and
 * {@link dev.coreloop.core.conn.ConnStateMachine}, its only mutator. No NIO, no clock: events in, actions out
 * ({@link dev.coreloop.core.conn.ConnActions}), and every change recorded as primitives (reactor, connection id,
 * from, to, event, reason, time) in a {@link dev.coreloop.core.conn.TransitionSink}, which can record it without
 * allocating: {@link dev.coreloop.core.conn.TransitionSink#NONE} by default,
 * {@link dev.coreloop.core.conn.LoggingTransitionSink} to log them while debugging.
 *
 * <p>Handlers read {@link dev.coreloop.core.conn.ConnState} through {@link dev.coreloop.core.Connection#state()};
 * the rest is the server's.
 */
package dev.coreloop.core.conn;
