/**
 * Non-blocking TCP and TLS: the selector threads
 * ({@link dev.duplex.internal.transport.EventLoop},
 * {@link dev.duplex.internal.transport.EventLoopGroup}), which own what the protocol objects of
 * their connections share (their {@code CodecResources}); one connection's channel
 * ({@link dev.duplex.internal.transport.TcpChannel}) with its write queue
 * ({@link dev.duplex.internal.transport.WriteQueue}), {@code SSLEngine}
 * ({@link dev.duplex.internal.transport.TlsCodec}) and, through the protocol layer's sans-I/O
 * {@code ConnectTunnel}, its HTTP {@code CONNECT} tunnel; and the listening socket
 * ({@link dev.duplex.internal.transport.ServerChannel}). It moves bytes and knows nothing of
 * WebSocket frames. Internal: not exported.
 */
package dev.duplex.internal.transport;
