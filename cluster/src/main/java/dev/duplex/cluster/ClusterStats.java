package dev.duplex.cluster;

/**
 * Counters of one node since it joined, as a snapshot ({@link Cluster#stats()}).
 *
 * @param published  messages this node handed to the broker
 * @param notRelayed of those, the ones the broker did not take (timeout, or over
 *                   {@link ClusterOptions#maxPendingBytes()})
 * @param received   messages from other nodes delivered to this node's sockets
 * @param missed     messages from other nodes that never arrived (gaps in their sequence numbers)
 * @param duplicates messages received twice (repeated by the broker client after a reconnect) and dropped
 * @param malformed  messages on the cluster's channels that were not valid envelopes, dropped
 * @param linkDowns  times the link to the broker was lost
 */
public record ClusterStats(long published, long notRelayed, long received, long missed, long duplicates,
                           long malformed, long linkDowns) {
}
