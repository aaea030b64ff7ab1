package dev.duplex;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The answer of a {@link PlainHttpHandler} to a plain HTTP request (one that is not a WebSocket
 * upgrade): status, headers and body. Duplex adds {@code Content-Length} and
 * {@code Connection: close}, and closes the connection after the response.
 *
 * <p>The body is in memory ({@link #of}, {@link #text}) or read from a file while it is sent
 * ({@link #ofFile}): a file is never held in memory whole, so serving a large one costs a
 * buffer of 64 KiB per connection, whatever its size.
 */
public final class HttpResponse {
    private final int status;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final Path file;        // null for an in-memory body
    private final long fileLength;

    private HttpResponse(int status, Map<String, List<String>> headers, byte[] body, Path file, long fileLength) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.file = file;
        this.fileLength = fileLength;
    }

    private HttpResponse(int status, Map<String, List<String>> headers, byte[] body) {
        this(status, headers, body, null, 0);
    }

    /**
     * A response whose body is the content of {@code file}, read while it is sent (a response
     * to {@code HEAD} does not open it). {@code Content-Length} is the file's size now; if the
     * file has shrunk by the time it is read, the connection is closed when its end is reached
     * (the client sees a short body), and if it has grown, only the first {@code Content-Length}
     * bytes are sent. A client that reads nothing for the server's {@code handshakeTimeout}
     * is dropped.
     *
     * @param status the HTTP status code, 200–599
     * @param contentType the {@code Content-Type} header value
     * @param file a regular file
     * @return the response
     * @throws IOException if the file's size cannot be read
     * @throws IllegalArgumentException if {@code status} is not 200–599 or {@code file} is not a regular file
     */
    public static HttpResponse ofFile(int status, String contentType, Path file) throws IOException {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("HTTP status must be 200-599, not " + status);
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Not a regular file: " + file);
        }
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("Content-Type", List.of(Objects.requireNonNull(contentType, "contentType")));
        return new HttpResponse(status, Collections.unmodifiableMap(h), new byte[0], file, Files.size(file));
    }

    /**
     * A response with {@code body} of type {@code contentType}.
     *
     * @param status the HTTP status code, 200–599
     * @param contentType the {@code Content-Type} header value
     * @param body the body (copied)
     * @return the response
     * @throws IllegalArgumentException if {@code status} is not 200–599
     */
    public static HttpResponse of(int status, String contentType, byte[] body) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("HTTP status must be 200-599, not " + status);
        }
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("Content-Type", List.of(Objects.requireNonNull(contentType, "contentType")));
        return new HttpResponse(status, Collections.unmodifiableMap(h), body.clone());
    }

    /**
     * A {@code text/plain; charset=utf-8} response.
     *
     * @param status the HTTP status code, 200–599
     * @param text the body
     * @return the response
     */
    public static HttpResponse text(int status, String text) {
        return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A copy with one more header. Names that are not HTTP tokens and values with control
     * characters are left out when the response is sent.
     *
     * @param name the header name
     * @param value its value
     * @return the new response
     */
    public HttpResponse withHeader(String name, String value) {
        Map<String, List<String>> h = new LinkedHashMap<>(headers);
        List<String> values = new ArrayList<>(h.getOrDefault(name, List.of()));
        values.add(value);
        h.put(name, List.copyOf(values));
        return new HttpResponse(status, Collections.unmodifiableMap(h), body, file, fileLength);
    }

    /**
     * Returns the file whose content is the body, for a response made by {@link #ofFile}.
     *
     * @return the file, or null when the body is in memory
     */
    public Path file() {
        return file;
    }

    /**
     * Returns the length of the body: the file's size when the response was made, or the
     * in-memory body's length.
     *
     * @return the {@code Content-Length} that is sent
     */
    public long contentLength() {
        return file != null ? fileLength : body.length;
    }

    /**
     * Returns the status code.
     *
     * @return the HTTP status code
     */
    public int status() {
        return status;
    }

    /**
     * Returns the headers, without the {@code Content-Length} and {@code Connection} that
     * Duplex adds.
     *
     * @return the headers, unmodifiable
     */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * Returns the in-memory body.
     *
     * @return a copy of the body; empty for a response made by {@link #ofFile}
     */
    public byte[] body() {
        return body.clone();
    }

    byte[] bodyUnsafe() {
        return body;
    }
}
