package dev.duplex;

import java.util.Map;

/**
 * A reading of a {@link WebSocketServer}'s totals, from {@link WebSocketServer#metrics()}
 * (a Java extension, for any metrics library to export: gauges for {@link #connectionsOpen()},
 * counters for the rest). Immutable. Each total is exact; totals read while traffic flows
 * may be a few events apart from each other, as with any set of independent counters.
 *
 * <ul>
 *   <li>A <em>connection</em> counts once its opening handshake succeeded; upgrades that were
 *       refused (by a limit, the origin policy or the handshake handler) or never finished count
 *       in {@link #handshakeFailuresByStatus()} instead. Plain HTTP requests answered by an
 *       {@link ServerOptions#httpHandler() HTTP handler} count nowhere.</li>
 *   <li><em>Messages</em> are complete data messages (text and binary), whatever their
 *       fragmentation; sent messages are counted when queued, broadcasts once per socket.</li>
 *   <li><em>Bytes</em> are WebSocket frame bytes after the opening handshake, as they go to or
 *       come from TCP (TLS aside): frame headers, control frames and compression included.</li>
 * </ul>
 */
public final class ServerMetrics {
    private final long connectionsTotal;
    private final long connectionsClosed;
    private final long messagesReceived;
    private final long messagesSent;
    private final long bytesReceived;
    private final long bytesSent;
    private final long abnormalCloses;
    private final Map<Integer, Long> closesByCode;
    private final Map<Integer, Long> handshakeFailuresByStatus;

    ServerMetrics(long connectionsTotal, long connectionsClosed, long messagesReceived, long messagesSent,
                  long bytesReceived, long bytesSent, long abnormalCloses, Map<Integer, Long> closesByCode,
                  Map<Integer, Long> handshakeFailuresByStatus) {
        this.connectionsTotal = connectionsTotal;
        this.connectionsClosed = connectionsClosed;
        this.messagesReceived = messagesReceived;
        this.messagesSent = messagesSent;
        this.bytesReceived = bytesReceived;
        this.bytesSent = bytesSent;
        this.abnormalCloses = abnormalCloses;
        this.closesByCode = Map.copyOf(closesByCode);
        this.handshakeFailuresByStatus = Map.copyOf(handshakeFailuresByStatus);
    }

    /** @return connections open now: opened and not yet ended */
    public long connectionsOpen() {
        return Math.max(0, connectionsTotal - connectionsClosed);
    }

    /** @return connections opened since the server was created */
    public long connectionsTotal() {
        return connectionsTotal;
    }

    /** @return data messages received from clients */
    public long messagesReceived() {
        return messagesReceived;
    }

    /** @return data messages queued for clients */
    public long messagesSent() {
        return messagesSent;
    }

    /** @return frame bytes received from clients after their opening handshakes */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** @return frame bytes written to clients after their opening handshakes */
    public long bytesSent() {
        return bytesSent;
    }

    /**
     * Returns how many connections ended with each close code: the code of the server-side
     * socket's {@code close} event (the client's code after a closing handshake; 1006 when there
     * was none: failures, drops, timeouts).
     *
     * @return close code to count; unmodifiable
     */
    public Map<Integer, Long> closesByCode() {
        return closesByCode;
    }

    /** @return connections that ended without a completed closing handshake ({@code wasClean} false) */
    public long abnormalCloses() {
        return abnormalCloses;
    }

    /**
     * Returns the upgrades that failed, by the HTTP status they were answered with (400, 403,
     * 503...; 0 for those never answered: the client went away, or sent no complete request in
     * time).
     *
     * @return status to count; unmodifiable
     */
    public Map<Integer, Long> handshakeFailuresByStatus() {
        return handshakeFailuresByStatus;
    }

    @Override
    public String toString() {
        return "ServerMetrics[connectionsOpen=" + connectionsOpen() + ", connectionsTotal=" + connectionsTotal
                + ", messagesReceived=" + messagesReceived + ", messagesSent=" + messagesSent
                + ", bytesReceived=" + bytesReceived + ", bytesSent=" + bytesSent
                + ", closesByCode=" + closesByCode + ", abnormalCloses=" + abnormalCloses
                + ", handshakeFailuresByStatus=" + handshakeFailuresByStatus + "]";
    }
}
