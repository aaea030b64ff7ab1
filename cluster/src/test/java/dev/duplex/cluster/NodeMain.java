package dev.duplex.cluster;

import dev.duplex.ServerOptions;
import dev.duplex.WebSocketServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One cluster node in its own process for the multi-process tests: the {@link ChatRelay} on a
 * server on a free port. Prints {@code PORT n} once joined, then one line per cluster event
 * ({@code EVENT type ...}); answers commands on stdin ({@code stats}, {@code presence ROOM},
 * {@code nodes}). Exits when stdin ends, so a test JVM that dies takes its nodes with it.
 *
 * <p>Arguments: REDIS_URI NODE_ID HEARTBEAT_MS TTL_MS [MAX_PENDING_BYTES]
 */
public final class NodeMain {
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        ClusterOptions.Builder options = ClusterOptions.builder().nodeId(args[1])
                .heartbeatInterval(Duration.ofMillis(Long.parseLong(args[2])))
                .presenceTtl(Duration.ofMillis(Long.parseLong(args[3])));
        if (args.length > 4) {
            options.maxPendingBytes(Long.parseLong(args[4]));
        }
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .executor(ServerOptions.IO_THREAD).build());
        Cluster cluster = Cluster.join(server, RedisBroker.builder(args[0])
                .maxReconnectDelay(Duration.ofMillis(200)).commandTimeout(Duration.ofSeconds(5)).build(), options.build());
        ChatRelay relay = new ChatRelay(cluster);
        server.onconnection(e -> relay.attach(e.socket(), e.request()));
        for (String type : List.of("linkdown", "linkup", "loss")) {
            cluster.addEventListener(type, e -> out.println("EVENT " + type + " " + e));
        }
        server.start();
        out.println("PORT " + server.port());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] cmd = line.trim().split(" ");
            switch (cmd[0]) {
                case "stats" -> {
                    ClusterStats s = cluster.stats();
                    out.println("STATS " + s.published() + " " + s.notRelayed() + " " + s.received() + " " + s.missed()
                            + " " + s.duplicates() + " " + s.malformed() + " " + s.linkDowns());
                }
                case "presence" -> out.println("PRESENCE " + cluster.toRoom(cmd[1]).presence().toCompletableFuture()
                        .get(5, TimeUnit.SECONDS).stream().map(Presence::nodeId).sorted().collect(Collectors.joining(",")));
                case "nodes" -> out.println("NODES " + cluster.nodes().toCompletableFuture().get(5, TimeUnit.SECONDS)
                        .stream().sorted().collect(Collectors.joining(",")));
                default -> out.println("UNKNOWN " + line);
            }
        }
        cluster.close();
        server.close(Duration.ofSeconds(1));
        System.exit(0);
    }
}
