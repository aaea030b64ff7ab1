/**
 * The protocol, sans I/O: RFC 6455 framing, masking, fragmentation, control frames and
 * UTF-8 rules ({@link dev.duplex.internal.protocol.FrameDecoder},
 * {@link dev.duplex.internal.protocol.FrameEncoder}; one endpoint,
 * {@link dev.duplex.internal.protocol.Connection}, over its receive side
 * {@link dev.duplex.internal.protocol.MessageReader}, its send side
 * {@link dev.duplex.internal.protocol.FrameWriter} and its
 * {@link dev.duplex.internal.protocol.CloseHandshake}), the opening handshakes of both sides
 * ({@link dev.duplex.internal.protocol.ClientHandshake},
 * {@link dev.duplex.internal.protocol.ServerHandshake},
 * {@link dev.duplex.internal.protocol.HttpHeadParser}) and RFC 7692 permessage-deflate.
 *
 * <p>Bytes in, events and bytes out: nothing here opens a socket, starts a thread or reads
 * a clock, so every rule is tested with byte vectors. Nothing here holds global mutable state
 * either: what connections share (mask keystream, zlib pool, scratch buffers) is a
 * {@link dev.duplex.internal.protocol.CodecResources} that the owner of the threads hands in.
 * The classes are not thread-safe, except {@code Connection}'s send methods, which it
 * serialises with its monitor; the session that owns one receives on its event loop only.
 * Internal: not exported.
 */
package dev.duplex.internal.protocol;
