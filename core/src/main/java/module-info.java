/**
 * Duplex: the browser WebSocket API for Java, on a strict RFC 6455 implementation, client and
 * server. Only {@code dev.duplex} is public; the protocol and transport packages are internal.
 * {@code jdk.jfr} (part of every JDK) is read for the Flight Recorder events, which cost
 * nothing while no recording enables them.
 */
module dev.duplex {
    requires jdk.jfr;
    exports dev.duplex;
}
