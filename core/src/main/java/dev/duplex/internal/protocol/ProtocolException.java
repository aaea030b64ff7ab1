package dev.duplex.internal.protocol;

/**
 * The peer broke a rule of RFC 6455 / RFC 7692, or a configured limit was exceeded. The
 * connection must be failed; {@link #closeCode()} is the status to put in our close frame.
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int closeCode;
    private final String code;

    /** A failure named by its close code only; {@link #code()} is the code's generic name. */
    public ProtocolException(int closeCode, String message) {
        this(closeCode, genericCode(closeCode), message, null);
    }

    public ProtocolException(int closeCode, String message, Throwable cause) {
        this(closeCode, genericCode(closeCode), message, cause);
    }

    /** A failure with the stable name {@code code}; see the four-argument constructor. */
    public ProtocolException(int closeCode, String code, String message) {
        this(closeCode, code, message, null);
    }

    /**
     * @param code the stable name of this kind of failure, e.g. {@code "WS_ERR_INVALID_UTF8"}
     *        (the names are listed in the public {@code WebSocketProtocolException})
     */
    public ProtocolException(int closeCode, String code, String message, Throwable cause) {
        super(message, cause);
        this.closeCode = closeCode;
        this.code = code;
    }

    /** The close code that names the failure: 1002, 1007, 1009 and so on. */
    public int closeCode() {
        return closeCode;
    }

    /** The stable name of the failure, for programs to tell failures apart without parsing messages. */
    public String code() {
        return code;
    }

    static ProtocolException protocolError(String code, String message) {
        return new ProtocolException(CloseCodes.PROTOCOL_ERROR, code, message, null);
    }

    private static String genericCode(int closeCode) {
        return switch (closeCode) {
            case CloseCodes.PROTOCOL_ERROR -> "WS_ERR_PROTOCOL";
            case CloseCodes.INVALID_PAYLOAD -> "WS_ERR_INVALID_DATA";
            case CloseCodes.POLICY_VIOLATION -> "WS_ERR_POLICY";
            case CloseCodes.MESSAGE_TOO_BIG -> "WS_ERR_MESSAGE_TOO_BIG";
            case CloseCodes.INTERNAL_ERROR -> "WS_ERR_INTERNAL";
            case CloseCodes.TRY_AGAIN_LATER -> "WS_ERR_SERVER_BUSY";
            default -> "WS_ERR_CLOSE_" + closeCode;
        };
    }
}
