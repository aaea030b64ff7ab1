package dev.duplex.cli;

import dev.duplex.CloseEvent;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real {@code duplex serve --broadcast --cluster redis://...} processes on one real
 * redis-server form one chat: a room (from the URL path) and the cluster-wide broadcast reach
 * every client on every process, in per-sender order; SIGTERM drains a node with 1012.
 */
@Timeout(120)
class ServeClusterProcessTest {

    private static final class Client {
        final WebSocket ws;
        final BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> open = new CompletableFuture<>();
        final CompletableFuture<CloseEvent> closed = new CompletableFuture<>();

        Client(String url) throws Exception {
            ws = new WebSocket(url);
            ws.onopen(e -> open.complete(null));
            ws.onmessage(e -> inbox.add((String) ((MessageEvent) e).data()));
            ws.onclose(e -> closed.complete((CloseEvent) e));
            open.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void threeServeProcessesOnOneRedisAreOneChatWithRoomsFromThePath() throws Exception {
        Path dir = Files.createTempDirectory("duplex-cli-redis-");
        int redisPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            redisPort = s.getLocalPort();
        }
        Process redis = new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(redisPort), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        List<Cli.Server> servers = new ArrayList<>();
        List<Client> clients = new ArrayList<>();
        try {
            awaitPong(redisPort);
            for (int i = 0; i < 3; i++) {
                Cli.Server server = new Cli.Server("--broadcast", "--quiet", "--cluster", "redis://127.0.0.1:" + redisPort);
                servers.add(server);
                assertThat(server.running.err()).contains("of the cluster on redis://127.0.0.1:" + redisPort);
            }
            List<Client> room = new ArrayList<>();
            List<Client> lobby = new ArrayList<>();
            for (Cli.Server server : servers) {
                for (int i = 0; i < 2; i++) {
                    room.add(new Client(server.url + "room/chat"));
                }
                lobby.add(new Client(server.url));
            }
            clients.addAll(room);
            clients.addAll(lobby);
            // Joining a room is asynchronous: probe until every member heard every other.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            boolean[][] heard = new boolean[room.size()][room.size()];
            int round = 0;
            while (!all(heard)) {
                assertThat(System.nanoTime()).as("room joined on every node").isLessThan(deadline);
                round++;
                for (int i = 0; i < room.size(); i++) {
                    room.get(i).ws.send("probe " + i + " " + round);
                }
                Thread.sleep(100);
                for (int j = 0; j < room.size(); j++) {
                    String m;
                    while ((m = room.get(j).inbox.poll()) != null) {
                        heard[Integer.parseInt(m.split(" ")[1])][j] = true;
                    }
                }
            }
            Thread.sleep(300);
            room.forEach(c -> c.inbox.removeIf(m -> m.startsWith("probe")));
            lobby.forEach(c -> c.inbox.clear());
            int perSender = 50;
            for (int k = 0; k < perSender; k++) {
                for (int i = 0; i < room.size(); i++) {
                    room.get(i).ws.send(i + ":" + k);
                }
            }
            for (Client c : room) {
                Map<Integer, Integer> next = new HashMap<>();
                for (int n = 0; n < perSender * room.size(); n++) {
                    String m = c.inbox.poll(10, TimeUnit.SECONDS);
                    assertThat(m).as("message " + n).isNotNull();
                    int sender = Integer.parseInt(m.split(":")[0]);
                    int k = Integer.parseInt(m.split(":")[1]);
                    assertThat(k).as("from sender " + sender).isEqualTo(next.getOrDefault(sender, 0));
                    next.put(sender, k + 1);
                }
            }
            assertThat(lobby.get(0).inbox.poll(300, TimeUnit.MILLISECONDS)).as("the room stays in the room").isNull();
            lobby.get(2).ws.send("to everyone");
            for (Client c : clients) {
                assertThat(c.inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("to everyone");
            }
            // SIGTERM: the node drains, its clients are told to reconnect elsewhere.
            servers.get(0).running.process.destroy();
            for (Client c : List.of(room.get(0), room.get(1), lobby.get(0))) {
                CloseEvent e = c.closed.get(15, TimeUnit.SECONDS);
                assertThat(e.code()).isEqualTo(1012);
            }
            room.get(2).ws.send("still here");
            for (Client c : List.of(room.get(3), room.get(4), room.get(5))) {
                assertThat(c.inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("still here");
            }
        } finally {
            for (Client c : clients) {
                if (c.ws.readyState() == WebSocket.OPEN) {
                    c.ws.close();
                }
            }
            for (Cli.Server s : servers) {
                s.close();
            }
            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static boolean all(boolean[][] m) {
        for (boolean[] row : m) {
            for (boolean b : row) {
                if (!b) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void awaitPong(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                OutputStream out = s.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                if (in.read() == '+') {
                    return;
                }
            } catch (java.io.IOException notYet) {
                assertThat(System.nanoTime()).as("redis-server listening").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }
}
