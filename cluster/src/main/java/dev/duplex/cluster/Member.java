package dev.duplex.cluster;

import dev.duplex.WebSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What the cluster knows of one of this node's sockets: its ids and the groups it is in. */
final class Member {
    final WebSocket socket;
    final long number;
    final String connectionId;
    volatile String userId = "";
    final Set<String> groups = ConcurrentHashMap.newKeySet();

    Member(WebSocket socket, long number, String nodeId) {
        this.socket = socket;
        this.number = number;
        this.connectionId = nodeId + "/" + number;
    }
}
