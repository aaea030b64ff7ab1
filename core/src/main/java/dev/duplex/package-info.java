/**
 * The public API: the browser's {@link dev.duplex.WebSocket} (as the WHATWG WebSockets
 * Standard specifies it and MDN documents it) for clients, {@link dev.duplex.WebSocketServer}
 * which hands out the same {@code WebSocket} class, their options, events and errors.
 *
 * <p>Everything under {@code dev.duplex.internal} is the machinery beneath and is not
 * exported by the module: its names may change in any release.
 */
package dev.duplex;
