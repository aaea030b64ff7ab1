package dev.duplex.internal.transport;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** An HTTP proxy answered {@code CONNECT} with something other than 2xx. */
public final class ProxyException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, List<String>> headers;

    public ProxyException(int status, String message, Map<String, List<String>> headers) {
        super(message);
        this.status = status;
        this.headers = headers;
    }

    /** The proxy's HTTP status, e.g. 407 or 403. */
    public int status() {
        return status;
    }

    /** The proxy's header fields, e.g. {@code Proxy-Authenticate}. */
    public Map<String, List<String>> headers() {
        return headers;
    }
}
