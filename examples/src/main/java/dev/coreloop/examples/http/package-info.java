/**
 * A minimal, real HTTP/1.1 server on the coreloop public API (TechEmpower's {@code /plaintext} and
 * {@code /json}).
 *
 * <ul>
 *   <li>{@link dev.coreloop.examples.http.HttpRequestParser}: incremental, allocation-free request parsing over
 *       the inbound view (RFC 9112; its javadoc lists every choice: strict CRLF, limits and their status codes,
 *       Content-Length and Transfer-Encoding rules, keep-alive).</li>
 *   <li>{@link dev.coreloop.examples.http.HttpHandler}: one per connection; pipelining, bodies skipped,
 *       404 and 405 answered on a connection that stays open, errors that break the framing answered then closed
 *       with {@code PROTOCOL_ERROR}, backpressure.</li>
 *   <li>{@link dev.coreloop.examples.http.HttpDateService}: per reactor; the Date value and the prebuilt
 *       {@link dev.coreloop.examples.http.HttpResponses}, refreshed when the second changes.</li>
 *   <li>{@link dev.coreloop.examples.http.HttpServer}: {@code handlerFactory(HttpConfig)},
 *       {@code install(ServerContext, InetSocketAddress, HttpConfig)} and {@code main}
 *       ({@code --port 8080 --reactors N --bind ADDRESS}).</li>
 * </ul>
 *
 * Running {@code main} needs {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED} (Agrona 2; see
 * {@link dev.coreloop.core.Server#REQUIRED_JVM_OPTION}).
 */
package dev.coreloop.examples.http;
