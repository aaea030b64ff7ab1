package dev.duplex.bench.cluster;

import dev.duplex.ServerOptions;
import dev.duplex.WebSocketServer;
import dev.duplex.cluster.ChatRelay;
import dev.duplex.cluster.Cluster;
import dev.duplex.cluster.ClusterOptions;
import dev.duplex.cluster.RedisBroker;

import java.io.InputStream;
import java.time.Duration;

/**
 * One node of the cluster benchmark, in its own JVM: what {@code duplex serve --broadcast
 * --cluster} runs (the {@link ChatRelay}), on a server with listeners on the I/O thread.
 * Prints {@code PORT n} when ready; prints its stats and exits when stdin ends.
 *
 * <p>Arguments: REDIS_URI NODE_ID
 */
public final class ClusterBenchNode {
    public static void main(String[] args) throws Exception {
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .executor(ServerOptions.IO_THREAD).perMessageDeflate(false).build());
        Cluster cluster = Cluster.join(server, RedisBroker.create(args[0]),
                ClusterOptions.builder().nodeId(args[1]).build());
        ChatRelay relay = new ChatRelay(cluster);
        server.onconnection(e -> relay.attach(e.socket(), e.request()));
        server.start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        InputStream in = System.in;
        while (in.read() != -1) {
            // wait for the end of input
        }
        System.out.println("STATS " + cluster.stats());
        System.out.flush();
        cluster.close();
        server.close(Duration.ofSeconds(1));
        System.exit(0);
    }
}
