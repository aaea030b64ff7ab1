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
                    OutputStream out = s.getOutputStream();
                    handshake(s.getInputStream(), out);
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
    /**
     * A raw TCP WebSocket server that records every frame it receives (opcode and unmasked
     * payload), so a test sees pings and pongs, not just messages; it serves one client at a
     * time. It answers a ping with a pong of the same data, echoes a text frame at once, and
     * answers a close frame with the same close frame: every echo goes out before the close
     * frame that answers a later close, deterministically.
     */
    static final class FrameRecorder implements AutoCloseable {
        static final int TEXT = 1, CLOSE = 8, PING = 9, PONG = 10;

        /** One frame received: its opcode and payload. */
        static final class Frame {
            final int opcode;
            final byte[] payload;

            Frame(int opcode, byte[] payload) {
                this.opcode = opcode;
                this.payload = payload;
            }

            String text() {
                return new String(payload, StandardCharsets.UTF_8);
            }

            @Override
            public String toString() {
                return opcode + ":" + (opcode == CLOSE && payload.length >= 2
                        ? (((payload[0] & 0xff) << 8) | (payload[1] & 0xff)) + " "
                                + new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
                        : text());
            }
        }

        final ServerSocket listener;
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        private final Thread thread;

        FrameRecorder() throws IOException {
            listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "frame-recorder");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            while (!listener.isClosed()) {
                serveOne();
            }
        }

        // One connection at a time, each to its end.
        private void serveOne() {
            try (Socket s = listener.accept()) {
                InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                handshake(in, out);
                while (true) {
                    int b0 = in.read();
                    int b1 = in.read();
                    if (b0 < 0 || b1 < 0) {
                        return;
                    }
                    long len = b1 & 0x7f;
                    if (len == 126) {
                        len = (in.read() << 8) | in.read();
                    } else if (len == 127) {
                        len = 0;
                        for (int i = 0; i < 8; i++) {
                            len = (len << 8) | in.read();
                        }
                    }
                    byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : new byte[4];
                    byte[] payload = in.readNBytes((int) len);
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                    int opcode = b0 & 0x0f;
                    frames.add(new Frame(opcode, payload));
                    if (opcode == PING) {
                        write(out, PONG, payload);
                    } else if (opcode == TEXT) {
                        write(out, TEXT, payload);
                    } else if (opcode == CLOSE) {
                        write(out, CLOSE, payload);
                        return;
                    }
                }
            } catch (Exception e) {
                // the test sees what was recorded
            }
        }

        private static void write(OutputStream out, int opcode, byte[] payload) throws IOException {
            out.write(0x80 | opcode);
            out.write(payload.length);      // control frames and the tests' texts are under 126 bytes
            out.write(payload);
            out.flush();
        }

        String url() {
            return "ws://127.0.0.1:" + listener.getLocalPort() + "/";
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    /** Reads an upgrade request from a raw socket and answers it with a 101 (no extensions, no subprotocol). */
    static void handshake(InputStream in, OutputStream out) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("no request");
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
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
