/**
 * What joins a transport channel to the protocol for one socket: the client and server
 * sessions (handshake on the wire, redirects, cookies, timers), dialing through proxies,
 * keep-alive and round-trip times, spilling large messages to temporary files, the wire log
 * and the server-wide limits and budgets. A session reaches its
 * {@link dev.duplex.WebSocket} only through {@link dev.duplex.internal.session.SocketEvents},
 * and its server through {@link dev.duplex.internal.session.ServerSide}. Internal: not
 * exported.
 */
package dev.duplex.internal.session;
