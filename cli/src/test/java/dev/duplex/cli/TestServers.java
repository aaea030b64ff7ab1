package dev.duplex.cli;

import dev.duplex.BinaryType;
import dev.duplex.HandshakeHandler;
import dev.duplex.HandshakeRequest;
import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/** Servers the command is run against, inside the test JVM. */
final class TestServers {
    private TestServers() {}

    /** A Duplex echo server that records what it receives and the upgrade requests. */
    static final class Echo implements AutoCloseable {
        final WebSocketServer server;
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        final List<HandshakeRequest> requests = new CopyOnWriteArrayList<>();
        final BlockingQueue<WebSocket> sockets = new LinkedBlockingQueue<>();

        Echo() {
            this(HandshakeHandler.acceptAll(), ws -> { });
        }

        Echo(HandshakeHandler handshake, Consumer<WebSocket> onOpen) {
            server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).handshake(handshake).build());
            server.onconnection(e -> {
                WebSocket ws = e.socket();
                requests.add(e.request());
                ws.binaryType(BinaryType.ARRAYBUFFER);
                ws.onmessage(m -> {
                    Object data = ((MessageEvent) m).data();
                    if (data instanceof String) {
                        received.add(data);
                        ws.send((String) data);
                    } else {
                        ByteBuffer b = (ByteBuffer) data;
                        byte[] bytes = new byte[b.remaining()];
                        b.duplicate().get(bytes);
                        received.add(bytes);
                        ws.send(bytes);
                    }
                });
                sockets.add(ws);
                onOpen.accept(ws);
            });
            server.start();
        }

        String url() {
            return "ws://127.0.0.1:" + server.port() + "/";
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /**
     * A raw TCP server that completes the opening handshake correctly and then drops the
     * connection without a close frame: the client sees 1006.
     */
    static final class Dropper implements AutoCloseable {
        final ServerSocket listener;
        final Thread thread;

        Dropper() throws IOException {
            listener = new ServerSocket(0);
            thread = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    InputStream in = s.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        int c = in.read();
                        if (c < 0) {
                            return;
                        }
                        head.append((char) c);
                    }
                    String key = null;
                    for (String line : head.toString().split("\r\n")) {
                        if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                            key = line.substring(line.indexOf(':') + 1).trim();
                        }
                    }
                    String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                            .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(new byte[] {(byte) 0x81, 5, 'h', 'e', 'l', 'l', 'o'});
                    out.flush();
                    Thread.sleep(200);
                } catch (Exception e) {
                    // the test sees the outcome
                }
            }, "dropper");
            thread.setDaemon(true);
            thread.start();
        }

        String url() {
            return "ws://127.0.0.1:" + listener.getLocalPort() + "/";
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
