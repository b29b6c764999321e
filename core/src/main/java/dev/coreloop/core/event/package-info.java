/**
 * Where connection state transitions go: a {@link dev.coreloop.core.event.TransitionSink} receives each one as
 * primitives (reactor, connection id, from, to, event, reason, time) on the reactor thread, so a sink can record it
 * without allocating. {@link dev.coreloop.core.event.TransitionSink#NONE} is the default;
 * {@link dev.coreloop.core.event.LoggingTransitionSink} logs them for debugging.
 */
package dev.coreloop.core.event;
