package dev.duplex.cluster;

/**
 * Where a message goes in the cluster: a room, a user, one connection. Each send reaches the
 * target's sockets on this node at once and on the other nodes through the broker; messages
 * sent from one thread to one target arrive in that order everywhere.
 */
public interface Target {

    /**
     * Sends a text message.
     *
     * @throws IllegalArgumentException if its UTF-8 form is over {@link ClusterOptions#maxMessageSize()}
     * @throws dev.duplex.DOMException {@code SyntaxError} if it has an unpaired surrogate
     */
    void send(String text);

    /**
     * Sends a binary message; the array is copied before this method returns.
     *
     * @throws IllegalArgumentException if it is over {@link ClusterOptions#maxMessageSize()}
     */
    void send(byte[] data);
}
