/**
 * Non-blocking TCP and TLS: the selector threads
 * ({@link dev.duplex.internal.transport.EventLoop},
 * {@link dev.duplex.internal.transport.EventLoopGroup}), one connection's channel with its
 * write queue, HTTP {@code CONNECT} tunnel and {@code SSLEngine}
 * ({@link dev.duplex.internal.transport.TcpChannel},
 * {@link dev.duplex.internal.transport.TlsCodec}) and the listening socket
 * ({@link dev.duplex.internal.transport.ServerChannel}). It moves bytes and knows nothing of
 * WebSocket frames. Internal: not exported.
 */
package dev.duplex.internal.transport;
