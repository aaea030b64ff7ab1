package dev.duplex.cluster;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one cluster node: its id, heartbeat and presence timing, and the limits of what
 * goes through the broker. Immutable; {@link #defaults()} or {@link #builder()}.
 *
 * <table>
 * <caption>Defaults and what hitting a limit does</caption>
 * <tr><th>Setting</th><th>Default</th><th>When it is hit</th></tr>
 * <tr><td>{@code maxRoomNameLength}</td><td>200 chars</td><td>{@code IllegalArgumentException}
 *     from {@code join}/{@code toRoom}</td></tr>
 * <tr><td>{@code maxMessageSize}</td><td>1 MiB</td><td>{@code IllegalArgumentException} from
 *     {@code send}; a larger message arriving from the broker is dropped and counted as malformed</td></tr>
 * <tr><td>{@code maxPendingBytes}</td><td>64 MiB</td><td>messages are delivered on this node but
 *     not relayed; counted, and a {@code loss} event</td></tr>
 * </table>
 */
public final class ClusterOptions {
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final String nodeId;
    private final Duration heartbeatInterval;
    private final Duration presenceTtl;
    private final int maxRoomNameLength;
    private final int maxMessageSize;
    private final long maxPendingBytes;
    private final int drainCloseCode;

    private ClusterOptions(Builder b) {
        this.nodeId = b.nodeId != null ? b.nodeId : randomId();
        this.heartbeatInterval = b.heartbeatInterval;
        this.presenceTtl = b.presenceTtl;
        this.maxRoomNameLength = b.maxRoomNameLength;
        this.maxMessageSize = b.maxMessageSize;
        this.maxPendingBytes = b.maxPendingBytes;
        this.drainCloseCode = b.drainCloseCode;
        if (presenceTtl.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("presenceTtl (" + presenceTtl + ") must be at least twice the heartbeatInterval ("
                    + heartbeatInterval + "), or one late heartbeat makes a live node vanish from presence");
        }
    }

    public static ClusterOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This node's id in connection ids and presence; default: 10 random letters and digits. */
    public String nodeId() {
        return nodeId;
    }

    /** How often the node tells the broker it is alive; default 1 s. */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** How long a node's presence entries outlive its last heartbeat; default 5 s. */
    public Duration presenceTtl() {
        return presenceTtl;
    }

    /** Longest room or user name, in chars; default 200. */
    public int maxRoomNameLength() {
        return maxRoomNameLength;
    }

    /** Largest message payload sent through the broker, in bytes; default 1 MiB. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** Bytes of messages handed to the broker and not yet taken (e.g. while Redis is away); default 64 MiB. */
    public long maxPendingBytes() {
        return maxPendingBytes;
    }

    /** The close code {@link Cluster#drain} sends; default 1012 (Service Restart: reconnect elsewhere). */
    public int drainCloseCode() {
        return drainCloseCode;
    }

    private static String randomId() {
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder(10);
        for (int i = 0; i < 10; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    /** Node ids go into Redis key names and connection ids: a short, plain alphabet keeps both unambiguous. */
    static void checkNodeId(String id) {
        if (id.isEmpty() || id.length() > 64 || !id.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("Node id '" + id + "' must be 1 to 64 letters, digits, '_', '.' or '-' "
                    + "(ClusterOptions.nodeId)");
        }
    }

    /** Builds {@link ClusterOptions}. */
    public static final class Builder {
        private String nodeId;
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private Duration presenceTtl = Duration.ofSeconds(5);
        private int maxRoomNameLength = 200;
        private int maxMessageSize = 1 << 20;
        private long maxPendingBytes = 64L << 20;
        private int drainCloseCode = 1012;

        private Builder() {
        }

        public Builder nodeId(String id) {
            checkNodeId(Objects.requireNonNull(id, "id"));
            this.nodeId = id;
            return this;
        }

        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = positive(interval, "heartbeatInterval");
            return this;
        }

        public Builder presenceTtl(Duration ttl) {
            this.presenceTtl = positive(ttl, "presenceTtl");
            return this;
        }

        public Builder maxRoomNameLength(int chars) {
            this.maxRoomNameLength = atLeastOne(chars, "maxRoomNameLength");
            return this;
        }

        public Builder maxMessageSize(int bytes) {
            this.maxMessageSize = atLeastOne(bytes, "maxMessageSize");
            return this;
        }

        public Builder maxPendingBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxPendingBytes must be at least 1, not " + bytes);
            }
            this.maxPendingBytes = bytes;
            return this;
        }

        /** 1012 (Service Restart, the default) or 1001 (Going Away); or 4000-4999 for an application's own. */
        public Builder drainCloseCode(int code) {
            if (code != 1001 && code != 1012 && (code < 4000 || code > 4999)) {
                throw new IllegalArgumentException("drainCloseCode must be 1001, 1012 or 4000-4999 (RFC 6455 section 7.4), not " + code);
            }
            this.drainCloseCode = code;
            return this;
        }

        public ClusterOptions build() {
            return new ClusterOptions(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + d);
            }
            return d;
        }

        private static int atLeastOne(int n, String name) {
            if (n < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, not " + n);
            }
            return n;
        }
    }
}
