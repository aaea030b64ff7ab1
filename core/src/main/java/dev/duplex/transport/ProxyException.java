package dev.duplex.transport;

import java.io.IOException;

/** An HTTP proxy answered {@code CONNECT} with something other than 2xx. */
public final class ProxyException extends IOException {
    private final int status;

    public ProxyException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The proxy's HTTP status, e.g. 407 or 403. */
    public int status() {
        return status;
    }
}
