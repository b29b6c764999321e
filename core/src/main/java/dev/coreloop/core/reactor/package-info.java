/**
 * The reactor: {@link dev.coreloop.core.reactor.ReactorAgent}'s duty cycle of bounded phases (inbox, tasks,
 * messages, I/O, timers, flushes, shutdown), the connection it drives (inbound and outbound paths, timers, read
 * interest), its thread-safe front door {@link dev.coreloop.core.reactor.ReactorProxy}, and how it parks in its
 * selector without losing a wake-up ({@link dev.coreloop.core.reactor.SelectorIdleStrategy}).
 *
 * <p>Internal to the server: public for {@link dev.coreloop.core.Server}, the stress tests and the benchmarks, not
 * for applications, and may change without notice. Applications use {@link dev.coreloop.core.Connection} and
 * {@link dev.coreloop.core.ReactorContext}.
 */
package dev.coreloop.core.reactor;
