package dev.duplex.internal.session;

import dev.duplex.ConnectionOptions;

/**
 * The keep-alive and idle settings of one connection, in milliseconds (0 = off), taken from
 * {@link ConnectionOptions}.
 */
public final class KeepAlive {
    public final long pingIntervalMillis;
    public final long pongTimeoutMillis;
    public final long idleTimeoutMillis;

    private KeepAlive(long pingIntervalMillis, long pongTimeoutMillis, long idleTimeoutMillis) {
        this.pingIntervalMillis = pingIntervalMillis;
        this.pongTimeoutMillis = pongTimeoutMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    /** Neither pings nor an idle timeout (the default): one instance shared by every connection. */
    private static final KeepAlive OFF = new KeepAlive(0, 0, 0);

    public static KeepAlive of(ConnectionOptions o) {
        return of(o.pingInterval().toMillis(), o.pongTimeout().toMillis(), o.idleTimeout().toMillis());
    }

    private static KeepAlive of(long pingInterval, long pongTimeout, long idleTimeout) {
        // without pings the pong timeout never applies
        return pingInterval == 0 && idleTimeout == 0 ? OFF : new KeepAlive(pingInterval, pongTimeout, idleTimeout);
    }

    public boolean enabled() {
        return pingIntervalMillis > 0 || idleTimeoutMillis > 0;
    }
}
