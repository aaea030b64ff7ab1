package dev.duplex;

import java.nio.charset.StandardCharsets;
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
 */
public final class HttpResponse {
    private final int status;
    private final Map<String, List<String>> headers;
    private final byte[] body;

    private HttpResponse(int status, Map<String, List<String>> headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
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
        return new HttpResponse(status, Collections.unmodifiableMap(h), body);
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
     * Returns the body.
     *
     * @return a copy of the body
     */
    public byte[] body() {
        return body.clone();
    }

    byte[] bodyUnsafe() {
        return body;
    }
}
