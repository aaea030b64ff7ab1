package dev.duplex.examples;

import dev.duplex.BinaryType;
import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.nio.ByteBuffer;

/**
 * An echo server: every text or binary message comes back to its sender unchanged.
 *
 * <pre>
 * java -cp core/target/classes:examples/target/classes dev.duplex.examples.EchoServer [PORT]
 * </pre>
 *
 * Listens on 127.0.0.1, port 8080 unless given (0 picks a free one), and runs until the process
 * is stopped; try it with {@link ChatClient} or {@code duplex connect ws://127.0.0.1:8080/}.
 * Binary messages are received as {@code ArrayBuffer}s ({@link BinaryType#ARRAYBUFFER}) rather
 * than blobs: they can be sent straight back, with no blob to close afterwards.
 */
public final class EchoServer {
    private EchoServer() {}

    /**
     * Starts the server.
     *
     * @param args the port, optional
     */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(port).build());
        server.onconnection(event -> {
            WebSocket ws = event.socket();
            ws.binaryType(BinaryType.ARRAYBUFFER);
            ws.onmessage(e -> {
                Object data = ((MessageEvent) e).data();
                if (data instanceof String text) {
                    ws.send(text);
                } else {
                    ws.send((ByteBuffer) data);
                }
            });
        });
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("Echo server listening on ws://127.0.0.1:" + server.port() + "/");
        Thread.currentThread().join();      // until the process is stopped
    }
}
