package dev.duplex;

/**
 * The keep-alive and idle settings of one connection, in milliseconds (0 = off), taken from
 * {@link WebSocketOptions} or {@link ServerOptions}.
 */
final class KeepAlive {
    final long pingIntervalMillis;
    final long pongTimeoutMillis;
    final long idleTimeoutMillis;

    private KeepAlive(long pingIntervalMillis, long pongTimeoutMillis, long idleTimeoutMillis) {
        this.pingIntervalMillis = pingIntervalMillis;
        this.pongTimeoutMillis = pongTimeoutMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    static KeepAlive of(WebSocketOptions o) {
        return new KeepAlive(o.pingInterval().toMillis(), o.pongTimeout().toMillis(), o.idleTimeout().toMillis());
    }

    static KeepAlive of(ServerOptions o) {
        return new KeepAlive(o.pingInterval().toMillis(), o.pongTimeout().toMillis(), o.idleTimeout().toMillis());
    }

    boolean enabled() {
        return pingIntervalMillis > 0 || idleTimeoutMillis > 0;
    }
}
