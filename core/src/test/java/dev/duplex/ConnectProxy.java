package dev.duplex;

import java.io.ByteArrayOutputStream;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP CONNECT proxy for tests (blocking, a thread per tunnel: test code only). It can
 * require Basic credentials, or refuse every request with a given status line.
 */
final class ConnectProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String requiredAuthorization;   // null: none required
    private final String refusal;                 // e.g. "HTTP/1.1 403 Forbidden"; null: tunnel
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger tunnels = new AtomicInteger();

    private ConnectProxy(String requiredAuthorization, String refusal) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.requiredAuthorization = requiredAuthorization;
        this.refusal = refusal;
        Thread t = new Thread(this::acceptLoop, "test-proxy");
        t.setDaemon(true);
        t.start();
    }

    static ConnectProxy open() throws IOException {
        return new ConnectProxy(null, null);
    }

    static ConnectProxy requiringBasic(String user, String password) throws IOException {
        String token = java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new ConnectProxy("Basic " + token, null);
    }

    static ConnectProxy refusing(String statusLine) throws IOException {
        return new ConnectProxy(null, statusLine);
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread t = new Thread(() -> handle(client), "test-proxy-tunnel");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        try {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String head = readHead(in);
            requests.add(head);
            String[] requestLine = head.split("\r\n")[0].split(" ");
            if (refusal != null) {
                reply(out, refusal);
                client.close();
                return;
            }
            if (requiredAuthorization != null && !head.contains("\r\nProxy-Authorization: " + requiredAuthorization + "\r\n")) {
                out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                        + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                client.close();
                return;
            }
            String[] target = requestLine[1].split(":");
            Socket upstream = new Socket(target[0], Integer.parseInt(target[1]));
            sockets.add(upstream);
            tunnels.incrementAndGet();
            out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            pipe(upstream.getInputStream(), out, client);
            pipe(in, upstream.getOutputStream(), upstream);
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private static void reply(OutputStream out, String statusLine) throws IOException {
        out.write((statusLine + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                break;
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static void pipe(InputStream from, OutputStream to, Socket toSocket) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try {
                int n;
                while ((n = from.read(buf)) >= 0) {
                    to.write(buf, 0, n);
                    to.flush();
                }
                toSocket.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(toSocket);
            }
        }, "test-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Test helper.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
