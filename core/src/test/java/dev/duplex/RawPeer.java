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
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket peer that speaks raw bytes over a blocking {@link Socket}, for tests that must send
 * what no well-behaved implementation would: garbage, broken frames, endless headers. Every read is
 * bounded by a socket timeout, so a test never hangs on a silent peer.
 *
 * <p>Used both as a client of a Duplex server ({@link #connect(int)}) and as the accepted side of
 * a fake server for a Duplex client ({@link Listener}).
 */
final class RawPeer implements AutoCloseable {
    static final int READ_TIMEOUT_MILLIS = 5_000;
    /** Most bytes accepted for an HTTP head read by {@link #readHttpHead()}. */
    static final int MAX_HEAD = 64 * 1024;

    final Socket socket;
    final InputStream in;
    final OutputStream out;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** A raw TCP connection to 127.0.0.1:{@code port}. */
    static RawPeer connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MILLIS);
            return new RawPeer(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** The local port: the server sees it as the remote port of this connection. */
    int localPort() {
        return socket.getLocalPort();
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void write(String ascii) throws IOException {
        write(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    // ------------------------------------------------------------------ HTTP

    /** A valid upgrade request for {@code key}. */
    static String upgradeRequest(int port, String key) {
        return "GET / HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n";
    }

    static String newKey() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /**
     * Performs a correct opening handshake with the Duplex server at {@code port} and checks the
     * 101 answer and its accept key; the connection is then ready for frames.
     */
    void handshake(int port) throws IOException {
        String key = newKey();
        write(upgradeRequest(port, key));
        String head = readHttpHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("Expected 101, got: " + head);
        }
        String accept = header(head, "Sec-WebSocket-Accept");
        if (!ClientHandshake.acceptFor(key).equals(accept)) {
            throw new IOException("Wrong Sec-WebSocket-Accept " + accept + " in " + head);
        }
    }

    /**
     * Reads an HTTP head up to and including the empty line (at most {@link #MAX_HEAD} bytes),
     * byte by byte so that nothing after it is consumed.
     *
     * @throws EOFException if the peer closes before the head is complete
     */
    String readHttpHead() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;     // how much of CR LF CR LF has been seen
        while (buf.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("EOF after " + buf.size() + " bytes of HTTP head: "
                        + buf.toString(StandardCharsets.ISO_8859_1));
            }
            buf.write(b);
            if (b == '\r' && (state == 0 || state == 2)) {
                state++;
            } else if (b == '\n' && (state == 1 || state == 3)) {
                state++;
                if (state == 4) {
                    return buf.toString(StandardCharsets.ISO_8859_1);
                }
            } else {
                state = b == '\r' ? 1 : 0;
            }
        }
        throw new IOException("HTTP head longer than " + MAX_HEAD + " bytes");
    }

    /** The status code of an HTTP response head. */
    static int status(String head) {
        String[] parts = head.split(" ", 3);
        return Integer.parseInt(parts[1].trim());
    }

    /** The first value of header {@code name} in {@code head}, or null. */
    static String header(String head, String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ frames

    /** A frame as read from the wire, unmasked. */
    static final class Frame {
        final boolean fin;
        final int rsv;
        final int opcode;
        final boolean masked;
        final byte[] payload;

        Frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
            this.fin = fin;
            this.rsv = rsv;
            this.opcode = opcode;
            this.masked = masked;
            this.payload = payload;
        }

        boolean isClose() {
            return opcode == 0x8;
        }

        /** The status code of a close frame; 1005 if it has none. */
        int closeCode() {
            return payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        String closeReason() {
            return payload.length <= 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Frame[fin=" + fin + ", rsv=" + rsv + ", opcode=" + opcode + ", masked=" + masked
                    + ", length=" + payload.length + (isClose() ? ", code=" + closeCode() + ", reason=" + closeReason() : "")
                    + "]";
        }
    }

    /**
     * Encodes one frame. {@code mask} true: masked with a random key (what clients send).
     * {@code announcedLength} lets a test lie about the payload length (-1: the real length).
     */
    static byte[] frame(boolean fin, int opcode, byte[] payload, boolean mask, long announcedLength) {
        long len = announcedLength >= 0 ? announcedLength : payload.length;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write((fin ? 0x80 : 0) | (opcode & 0x7F));   // opcode 0x10-0x70 set reserved bits
        int maskBit = mask ? 0x80 : 0;
        if (len < 126 && len >= 0) {
            b.write(maskBit | (int) len);
        } else if (len <= 0xFFFF && len >= 0) {
            b.write(maskBit | 126);
            b.write((int) (len >> 8) & 0xFF);
            b.write((int) len & 0xFF);
        } else {
            b.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                b.write((int) (len >>> shift) & 0xFF);
            }
        }
        byte[] key = new byte[4];
        if (mask) {
            ThreadLocalRandom.current().nextBytes(key);
            b.write(key, 0, 4);
        }
        for (int i = 0; i < payload.length; i++) {
            b.write(payload[i] ^ key[i & 3]);
        }
        return b.toByteArray();
    }

    static byte[] frame(int opcode, byte[] payload, boolean mask) {
        return frame(true, opcode, payload, mask, -1);
    }

    /** A masked text frame, as a well-behaved client sends it. */
    static byte[] clientText(String text) {
        return frame(0x1, text.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Reads one frame (payload at most {@code maxPayload} bytes), unmasking it. */
    Frame readFrame(int maxPayload) throws IOException {
        int b0 = readByte();
        int b1 = readByte();
        boolean masked = (b1 & 0x80) != 0;
        long len = b1 & 0x7F;
        if (len == 126) {
            len = ((long) readByte() << 8) | readByte();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | readByte();
            }
        }
        if (len < 0 || len > maxPayload) {
            throw new IOException("Frame announces " + len + " bytes, more than the " + maxPayload + " expected");
        }
        byte[] key = new byte[4];
        if (masked) {
            readFully(key);
        }
        byte[] payload = new byte[(int) len];
        readFully(payload);
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
        }
        return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0xF, masked, payload);
    }

    /** Reads frames until a close frame, skipping others (at most 1,000 of them). */
    Frame readCloseFrame() throws IOException {
        for (int i = 0; i < 1000; i++) {
            Frame f = readFrame(1 << 20);
            if (f.isClose()) {
                return f;
            }
        }
        throw new IOException("No close frame among 1,000 frames");
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("EOF inside a frame");
        }
        return b;
    }

    private void readFully(byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            int n = in.read(b, off, b.length - off);
            if (n < 0) {
                throw new EOFException("EOF inside a frame");
            }
            off += n;
        }
    }

    // ------------------------------------------------------------------ end of connection

    /** How the peer ended the connection, as seen by {@link #awaitEnd(Duration)}. */
    enum End { EOF, RESET, STILL_OPEN }

    /**
     * Reads and discards until the peer closes (EOF) or resets the connection, or until
     * {@code within} has passed (then {@link End#STILL_OPEN}). At most 64 MiB are discarded.
     */
    End awaitEnd(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        byte[] sink = new byte[8192];
        long discarded = 0;
        try {
            while (discarded < (64 << 20)) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return End.STILL_OPEN;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                int n;
                try {
                    n = in.read(sink);
                } catch (SocketTimeoutException e) {
                    return End.STILL_OPEN;
                }
                if (n < 0) {
                    return End.EOF;
                }
                discarded += n;
            }
            return End.STILL_OPEN;
        } catch (SocketException e) {
            return End.RESET;      // "Connection reset" and kin: the peer is gone
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // A test helper: nothing to do.
        }
    }

    // ------------------------------------------------------------------ fake servers

    /**
     * A listening socket on 127.0.0.1 that accepts raw connections, to play a (misbehaving)
     * WebSocket server for a Duplex client.
     */
    static final class Listener implements AutoCloseable {
        final ServerSocket server;

        Listener() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            server.setSoTimeout(READ_TIMEOUT_MILLIS);
        }

        int port() {
            return server.getLocalPort();
        }

        String url() {
            return "ws://127.0.0.1:" + port() + "/";
        }

        /** Accepts the next connection (within the read timeout). */
        RawPeer accept() throws IOException {
            Socket s = server.accept();
            try {
                return new RawPeer(s);
            } catch (IOException e) {
                s.close();
                throw e;
            }
        }

        /**
         * Accepts a connection, reads the client's upgrade request and answers it correctly
         * (101 with the right Sec-WebSocket-Accept); the connection is then ready for frames.
         */
        RawPeer acceptWebSocket() throws IOException {
            RawPeer p = accept();
            try {
                String request = p.readHttpHead();
                String key = header(request, "Sec-WebSocket-Key");
                if (key == null) {
                    throw new IOException("No Sec-WebSocket-Key in " + request);
                }
                p.write("HTTP/1.1 101 Switching Protocols\r\n"
                        + "Upgrade: websocket\r\n"
                        + "Connection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + ClientHandshake.acceptFor(key) + "\r\n"
                        + "\r\n");
                return p;
            } catch (IOException | RuntimeException e) {
                p.close();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // A test helper: nothing to do.
            }
        }
    }
}
