/**
 * JMH micro-benchmarks of the sans-I/O protocol layer ({@code dev.duplex.internal.protocol}): frame
 * decoding and encoding through {@link dev.duplex.internal.protocol.Connection}, masking, UTF-8
 * validation, the permessage-deflate round trip and the opening handshake. Run them with
 * {@code bench/micro}; results and how to read them are in {@code bench/MICRO.md}.
 */
package dev.duplex.bench.micro;
