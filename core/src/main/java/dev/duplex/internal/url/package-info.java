/**
 * Parsing and checking WebSocket URLs as the WHATWG URL and WebSockets standards do
 * ({@link dev.duplex.internal.url.WebSocketUrl}), with credentials redacted wherever a URL is
 * printed. Internal: not exported.
 */
package dev.duplex.internal.url;
