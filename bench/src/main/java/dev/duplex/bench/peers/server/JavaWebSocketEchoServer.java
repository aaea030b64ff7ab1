package dev.duplex.bench.peers.server;

import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.extensions.permessage_deflate.PerMessageDeflateExtension;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Java-WebSocket 1.6.0 echo server. Its default number of decoder threads is the number of
 * available processors, which is 1 under {@code taskset -c 0}. With {@code --deflate} the draft
 * carries the library's PerMessageDeflateExtension.
 */
public final class JavaWebSocketEchoServer extends WebSocketServer {
    private final int requestedPort;

    private JavaWebSocketEchoServer(int port, List<Draft> drafts) {
        super(new InetSocketAddress("127.0.0.1", port), drafts);
        this.requestedPort = port;
    }

    public static void main(String[] args) throws Exception {
        ServerArgs a = ServerArgs.parse("JavaWebSocketEchoServer", args);
        Draft draft = a.deflate() ? new Draft_6455(new PerMessageDeflateExtension()) : new Draft_6455();
        JavaWebSocketEchoServer server = new JavaWebSocketEchoServer(a.port(), List.of(draft));
        server.setReuseAddr(true);
        server.setTcpNoDelay(true);          // as every other server in the comparison
        server.setConnectionLostTimeout(0);  // no keep-alive pings during idle-memory
        server.start();                      // starts its own thread; onStart says when it listens
        ServerArgs.park();
    }

    @Override
    public void onStart() {
        ServerArgs.ready(requestedPort);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        conn.send(message);
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
        conn.send(message);
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
    }
}
