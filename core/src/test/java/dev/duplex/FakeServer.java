package dev.duplex;

import dev.duplex.internal.protocol.ClientHandshake;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny scripted WebSocket "server" on a raw TCP socket, for peers that misbehave: each accepted
 * connection gets its request head read, then runs the script on its own daemon thread. Reads time
 * out after 5 s so that no script can hang a test.
 */
final class FakeServer implements AutoCloseable {
    /** What to do with one connection. */
    interface Script {
        void run(Peer peer) throws Exception;
    }

    /** One frame read from the client. */
    record Frame(boolean fin, int opcode, boolean masked, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** The server's end of one connection. */
    static final class Peer {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        String requestHead;

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** Reads the request head, up to and including the blank line. */
        String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("end of stream in the request head: " + head);
                }
                head.write(b);
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            requestHead = head.toString(StandardCharsets.ISO_8859_1);
            return requestHead;
        }

        /** First value of a request header, or null. */
        String header(String name) {
            for (String line : requestHead.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        String acceptKey() {
            return ClientHandshake.acceptFor(header("Sec-WebSocket-Key"));
        }

        void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void write(byte[] b) throws IOException {
            out.write(b);
            out.flush();
        }

        /** Answers with a correct 101 plus {@code extraHeaderLines} (each ending in CRLF). */
        void completeHandshake(String extraHeaderLines) throws IOException {
            write(handshakeResponse(extraHeaderLines));
        }

        /** Sends one unmasked frame. */
        void writeFrame(boolean fin, int opcode, byte[] payload) throws IOException {
            write(frame(fin, opcode, payload));
        }

        /** The 101 response {@link #completeHandshake} sends, as bytes. */
        byte[] handshakeResponse(String extraHeaderLines) {
            return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + acceptKey() + "\r\n" + extraHeaderLines + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
        }

        void writeText(String text) throws IOException {
            writeFrame(true, 1, text.getBytes(StandardCharsets.UTF_8));
        }

        /** Reads one frame, unmasking it. */
        Frame readFrame() throws IOException {
            int b0 = readByte();
            int b1 = readByte();
            boolean masked = (b1 & 0x80) != 0;
            long len = b1 & 0x7F;
            if (len == 126) {
                len = (readByte() << 8) | readByte();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | readByte();
                }
            }
            if (len > (64 << 20)) {
                throw new IOException("frame too large for the fake server: " + len);
            }
            byte[] mask = new byte[4];
            if (masked) {
                in.readNBytes(mask, 0, 4);
            }
            byte[] payload = in.readNBytes((int) len);
            if (payload.length != len) {
                throw new EOFException("end of stream in a frame");
            }
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            return new Frame((b0 & 0x80) != 0, b0 & 0x0F, masked, payload);
        }

        /** Reads frames until a close frame, returning it. */
        Frame readUntilClose() throws IOException {
            while (true) {
                Frame f = readFrame();
                if (f.opcode() == 8) {
                    return f;
                }
            }
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("end of stream");
            }
            return b;
        }

        /** Drains the input until end of stream or the read timeout; returns bytes read. */
        long drain() {
            long total = 0;
            byte[] buf = new byte[65536];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    total += n;
                }
            } catch (IOException e) {
                // timeout or reset: done
            }
            return total;
        }

        /** Closes the TCP connection at once (RST where possible: no closing handshake). */
        void abort() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }
    }

    /** One unmasked frame (a server's), as bytes. */
    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        return RawPeer.frame(fin, opcode, payload, false, -1);     // the one test frame codec
    }

    /** The bytes of {@code parts}, one after the other. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * A server that sends its 101 and a "welcome" text frame in a single write, then answers
     * the client's close frame and closes the connection.
     */
    static FakeServer greeter() throws IOException {
        return start(p -> {
            p.write(concat(p.handshakeResponse(""), frame(true, 1, "welcome".getBytes(StandardCharsets.UTF_8))));
            Frame close = p.readUntilClose();
            p.writeFrame(true, 8, close.payload());
            p.socket.close();
        });
    }

    private final ServerSocket serverSocket;
    private final Script script;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    final List<Throwable> scriptErrors = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    private final boolean readHead;

    private FakeServer(Script script, boolean readHead) throws IOException {
        this.script = script;
        this.readHead = readHead;
        this.serverSocket = new ServerSocket();
        // a small fixed receive window, so that a peer that stops reading stalls the sender soon
        serverSocket.setReceiveBufferSize(64 * 1024);
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::acceptLoop, "fake-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Each connection: the request head is read, then {@code script} runs. */
    static FakeServer start(Script script) throws IOException {
        return new FakeServer(script, true);
    }

    /** Each connection runs {@code script} without reading anything first. */
    static FakeServer startRaw(Script script) throws IOException {
        return new FakeServer(script, false);
    }

    /** A server that answers every request with {@code response} and then closes. */
    static FakeServer answering(String response) throws IOException {
        return start(peer -> {
            peer.write(response);
            peer.socket.close();
        });
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    String url() {
        return "ws://127.0.0.1:" + port() + "/";
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            Socket s;
            try {
                s = serverSocket.accept();
            } catch (IOException e) {
                return;
            }
            connections.incrementAndGet();
            sockets.add(s);
            Thread t = new Thread(() -> {
                try {
                    s.setSoTimeout(5_000);
                    Peer peer = new Peer(s);
                    if (readHead) {
                        peer.readHead();
                    }
                    script.run(peer);
                } catch (Throwable e) {
                    if (!serverSocket.isClosed()) {
                        scriptErrors.add(e);
                    }
                }
            }, "fake-server-conn");
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
