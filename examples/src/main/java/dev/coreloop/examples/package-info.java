/**
 * What the example servers share: {@link dev.coreloop.examples.ExampleMain}, the one way their {@code main}s parse a
 * command line, start a {@link dev.coreloop.core.Server}, report it and shut it down on SIGINT or SIGTERM. The
 * examples themselves are in the sub-packages ({@code echo}, {@code http}, {@code resp}, {@code proxy}); the
 * {@code coreloop} launcher serves them all on one server.
 */
package dev.coreloop.examples;
