package dev.duplex.cluster;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * What a {@link Cluster} needs from the engine that links its nodes: publish/subscribe on named
 * channels, and a small presence store whose entries die with their node. {@link RedisBroker}
 * is the implementation on Redis; another engine (NATS with a key-value bucket, for example)
 * implements the same methods.
 *
 * <p>Channel names and group keys are logical ({@code "all"}, {@code "room:lobby"},
 * {@code "node:k3j9x2"}); the broker maps them to its own names (Redis: a key prefix).
 * Messages are opaque bytes. Every method returns without waiting for the network; a method
 * called while the link is down is queued by the broker or fails its stage, never blocks.
 *
 * <p>The contract the cluster's guarantees rest on: messages published through one broker
 * instance to one channel reach each subscriber in the order they were published (one
 * connection, one ordered stream), at most once or, after a reconnect, possibly twice
 * (the cluster drops duplicates by sequence number).
 */
public interface Broker extends AutoCloseable {

    /**
     * Connects (or checks the connection made by the factory) and starts delivering: incoming
     * messages and link changes go to {@code listener}, in order, on the broker's thread.
     *
     * @throws IllegalStateException if the engine cannot be reached now; the message says where
     */
    void start(BrokerListener listener);

    /**
     * Starts receiving {@code channel}; idempotent. Kept across reconnects.
     *
     * @return completes once the engine has confirmed: from then on, messages published on the
     *         channel by other nodes reach this one
     */
    CompletionStage<Void> subscribe(String channel);

    /** Stops receiving {@code channel}; idempotent. */
    void unsubscribe(String channel);

    /**
     * Publishes {@code message} on {@code channel}. The stage completes when the engine has
     * taken the message, and fails if it could not within the broker's timeout (the message is
     * then not relayed, or relayed once the link is back: the engine cannot tell which).
     */
    CompletionStage<Void> publish(String channel, byte[] message);

    /**
     * Tells the presence store that {@code node} is alive for another {@code ttl}, and keeps
     * its entries in {@code groups} for as long. A node that stops calling this disappears from
     * {@link #presence} and {@link #nodes} once {@code ttl} has passed.
     */
    void heartbeat(String node, Duration ttl, Collection<String> groups);

    /** Records {@code member} (with its {@code value}, e.g. a user id) of {@code group} on {@code node}. */
    void present(String group, String node, String member, String value, Duration ttl);

    /** Removes {@code member} of {@code group} on {@code node}. */
    void absent(String group, String node, String member);

    /**
     * Replaces everything the store holds for {@code node} in each of {@code groups} by the given
     * members and values: the repair after the link came back (the engine may have restarted
     * empty, or missed removals made while it was away).
     */
    void resync(String node, Duration ttl, Map<String, Map<String, String>> groups);

    /** The members of {@code group} on every live node. */
    CompletionStage<List<Presence>> presence(String group);

    /** The ids of the live nodes (those whose heartbeat has not expired). */
    CompletionStage<List<String>> nodes();

    /** Removes {@code node} and its entries in {@code groups} now (drain, shutdown), without waiting for the TTL. */
    CompletionStage<Void> forget(String node, Collection<String> groups);

    /** Closes the connections; the listener gets nothing more. */
    @Override
    void close();
}
