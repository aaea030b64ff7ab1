/**
 * Internal: what Duplex measures, with no dependency. JDK Flight Recorder events (names
 * {@code dev.duplex.*}, category "Duplex"), committed by {@link dev.duplex.internal.metrics.Jfr}
 * only while a recording enables them, and the LongAdder counters behind
 * {@code WebSocketServer.metrics()} ({@link dev.duplex.internal.metrics.ServerCounters}).
 * Not part of the public API.
 */
package dev.duplex.internal.metrics;
