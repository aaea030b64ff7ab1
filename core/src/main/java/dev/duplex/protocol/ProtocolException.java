package dev.duplex.protocol;

/**
 * The peer broke a rule of RFC 6455 / RFC 7692, or a configured limit was exceeded. The
 * connection must be failed; {@link #closeCode()} is the status to put in our close frame.
 */
public final class ProtocolException extends Exception {
    private final int closeCode;

    public ProtocolException(int closeCode, String message) {
        super(message);
        this.closeCode = closeCode;
    }

    public ProtocolException(int closeCode, String message, Throwable cause) {
        super(message, cause);
        this.closeCode = closeCode;
    }

    /** The close code that names the failure: 1002, 1007, 1009 and so on. */
    public int closeCode() {
        return closeCode;
    }

    static ProtocolException protocolError(String message) {
        return new ProtocolException(CloseCodes.PROTOCOL_ERROR, message);
    }
}
