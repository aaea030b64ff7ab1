package dev.duplex.cluster;

import dev.duplex.WebSocket;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sockets of this node in one room or of one user, under the group's key
 * ({@code "room:NAME"} or {@code "user:ID"}), which is also its broker channel and presence group.
 * The node is subscribed to the channel exactly while the set is not empty.
 */
final class Group {
    final String key;
    final Set<WebSocket> sockets = ConcurrentHashMap.newKeySet();
    /** Completes when the broker confirmed the subscription. */
    final CompletionStage<Void> subscribed;

    Group(String key, CompletionStage<Void> subscribed) {
        this.key = key;
        this.subscribed = subscribed;
    }
}
