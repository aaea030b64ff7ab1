package dev.duplex.cluster;

import java.util.Objects;

/**
 * One socket in a room, somewhere in the cluster: its {@linkplain Cluster#id connection id},
 * the user it was {@linkplain Cluster#identify identified} as ("" if none), and the node it is
 * connected to. An entry stays visible while its node's heartbeat lasts: after a node dies its
 * entries disappear within {@link ClusterOptions#presenceTtl()}.
 */
public record Presence(String connectionId, String userId, String nodeId) {
    public Presence {
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(nodeId, "nodeId");
    }
}
