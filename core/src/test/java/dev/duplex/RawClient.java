package dev.duplex;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Sends raw bytes to a server over TCP and reads the answer until the server closes. */
final class RawClient {
    private RawClient() {
    }

    /** An HTTP response read off the wire. */
    record Response(String raw) {
        int status() {
            String[] parts = raw.split(" ", 3);
            return Integer.parseInt(parts[1]);
        }

        String head() {
            int end = raw.indexOf("\r\n\r\n");
            return end < 0 ? raw : raw.substring(0, end);
        }

        String body() {
            int end = raw.indexOf("\r\n\r\n");
            return end < 0 ? "" : raw.substring(end + 4);
        }

        /** First value of a header, or null. */
        String header(String name) {
            for (String line : head().split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    /**
     * Writes {@code request} and reads until end of stream. Fails if the server does not close
     * the connection within 5 s.
     */
    static Response exchange(int port, String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server did not close the connection within 5 s; got so far: "
                        + got.toString(StandardCharsets.ISO_8859_1), e);
            } catch (IOException e) {
                // a reset after the response: keep what was read
                if (got.size() == 0) {
                    throw e;
                }
            }
            return new Response(got.toString(StandardCharsets.ISO_8859_1));
        }
    }

    /** A valid upgrade request for {@code path}, plus {@code extraHeaderLines} (each ending in CRLF). */
    static String upgrade(int port, String path, String extraHeaderLines) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n" + extraHeaderLines + "\r\n";
    }
}
