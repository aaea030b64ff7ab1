package dev.duplex.internal.url;

/**
 * A URL or subprotocol list that the WebSocket constructor must refuse: the API layer turns it
 * into the DOMException the standard names ({@code SecurityError} for a bad port, else
 * {@code SyntaxError}).
 */
public final class UrlException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final boolean security;

    private UrlException(String message, boolean security) {
        super(message);
        this.security = security;
    }

    static UrlException syntax(String message) {
        return new UrlException(message, false);
    }

    static UrlException security(String message) {
        return new UrlException(message, true);
    }

    /** True for a {@code SecurityError} (a port on the Fetch standard's bad-ports list). */
    public boolean isSecurity() {
        return security;
    }

    /** The name of the DOMException the constructor throws for this: "SecurityError" or "SyntaxError". */
    public String domName() {
        return security ? "SecurityError" : "SyntaxError";
    }
}
