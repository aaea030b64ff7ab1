/**
 * Duplex cluster: broadcast, rooms, presence and direct messages across many Duplex servers,
 * through a {@link dev.duplex.cluster.Broker} (Redis, with Lettuce).
 */
module dev.duplex.cluster {
    requires transitive dev.duplex;
    requires lettuce.core;
    exports dev.duplex.cluster;
}
