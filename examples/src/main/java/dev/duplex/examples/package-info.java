/**
 * Short runnable programs on Duplex's public API, one feature each. Build once
 * ({@code mvn -q package -DskipTests} at the root), then run any of them with
 * {@code java -cp core/target/classes:examples/target/classes dev.duplex.examples.NAME ARGS}:
 * <ul>
 *   <li>{@link dev.duplex.examples.EchoServer}: a server that sends every message back;</li>
 *   <li>{@link dev.duplex.examples.ChatClient}: a client that sends the lines of standard input
 *       and prints what arrives;</li>
 *   <li>{@link dev.duplex.examples.ReconnectingClient}: a client that survives server restarts,
 *       subscribing again on every open;</li>
 *   <li>{@link dev.duplex.examples.ServerMetricsPrintout}: a server's traffic totals, printed
 *       every second;</li>
 *   <li>{@link dev.duplex.examples.PingRoundTrip}: round-trip times measured with
 *       {@code ping()}.</li>
 * </ul>
 */
package dev.duplex.examples;
