/**
 * The protocol, sans I/O: RFC 6455 framing, masking, fragmentation, control frames and
 * UTF-8 rules ({@link dev.duplex.internal.protocol.FrameDecoder},
 * {@link dev.duplex.internal.protocol.FrameEncoder},
 * {@link dev.duplex.internal.protocol.Connection}), the opening handshakes of both sides
 * ({@link dev.duplex.internal.protocol.ClientHandshake},
 * {@link dev.duplex.internal.protocol.ServerHandshake},
 * {@link dev.duplex.internal.protocol.HttpHeadParser}) and RFC 7692 permessage-deflate.
 *
 * <p>Bytes in, events and bytes out: nothing here opens a socket, starts a thread or reads
 * a clock, so every rule is tested with byte vectors. The classes are not thread-safe; the
 * session that owns one calls it from its event loop only. Internal: not exported.
 */
package dev.duplex.internal.protocol;
