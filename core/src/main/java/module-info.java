/**
 * Duplex: the browser WebSocket API for Java, on a strict RFC 6455 implementation, client and
 * server. Only {@code dev.duplex} is public; the protocol and transport packages are internal.
 */
module dev.duplex {
    exports dev.duplex;
}
