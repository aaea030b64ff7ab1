package dev.duplex.cluster;

import dev.duplex.WebSocket;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A named room of the cluster ({@link Cluster#toRoom}): sockets on any node join it, and a
 * message sent to it reaches every member on every node, encoded once per node. A handle only:
 * two handles for one name are the same room, and a room with no member anywhere costs nothing.
 */
public final class Room implements Target {
    private final Cluster cluster;
    private final String name;
    private final String key;

    Room(Cluster cluster, String name) {
        this.cluster = cluster;
        this.name = name;
        this.key = "room:" + name;
    }

    /** The room's name. */
    public String name() {
        return name;
    }

    /**
     * Adds one of this node's sockets to the room (nothing if it is a member already); it leaves
     * when it closes. Messages sent to the room on this node reach it at once.
     *
     * @return completes once this node is subscribed to the room: from then on the socket gets
     *         the room's messages from every node (messages sent elsewhere before may be missed)
     */
    public CompletionStage<Void> join(WebSocket socket) {
        return cluster.joinGroup(socket, key);
    }

    /** Removes the socket from the room (nothing if it is not a member). */
    public void leave(WebSocket socket) {
        cluster.leaveGroup(socket, key);
    }

    @Override
    public void send(String text) {
        cluster.sendToGroup(key, text);
    }

    @Override
    public void send(byte[] data) {
        cluster.sendToGroup(key, data);
    }

    /** The members on this node, as a snapshot. */
    public Set<WebSocket> localMembers() {
        return cluster.localMembers(key);
    }

    /** Every member on every live node, as the broker's presence store has them. */
    public CompletionStage<List<Presence>> presence() {
        return cluster.presenceOf(key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Room && ((Room) o).cluster == cluster && ((Room) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "Room[" + name + "]";
    }
}
