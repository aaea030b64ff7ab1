package dev.duplex;

import java.io.IOException;

/**
 * The connection was failed because a frame or message broke RFC 6455 or RFC 7692, or
 * exceeded a configured limit. Handed out by {@link ErrorEvent#error()}, before the
 * {@code close} event whose code is {@link #closeCode()}.
 *
 * <p>{@link #code()} is a stable name for the kind of failure, in the style of Node
 * {@code ws}'s {@code WS_ERR_*} codes, so that programs can tell failures apart without
 * parsing messages. The names used today:
 *
 * <table>
 * <caption>Failure codes</caption>
 * <tr><th>code</th><th>close code</th><th>meaning</th></tr>
 * <tr><td>{@code WS_ERR_INVALID_OPCODE}</td><td>1002</td><td>a reserved or unknown opcode</td></tr>
 * <tr><td>{@code WS_ERR_UNEXPECTED_RSV_1}, {@code WS_ERR_UNEXPECTED_RSV}</td><td>1002</td><td>a reserved bit set
 *     without an extension that defines it</td></tr>
 * <tr><td>{@code WS_ERR_EXPECTED_MASK}, {@code WS_ERR_UNEXPECTED_MASK}</td><td>1002</td><td>a
 *     client frame not masked, or a server frame masked</td></tr>
 * <tr><td>{@code WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH}</td><td>1002</td><td>a control frame over
 *     125 bytes</td></tr>
 * <tr><td>{@code WS_ERR_EXPECTED_FIN}</td><td>1002</td><td>a fragmented control frame</td></tr>
 * <tr><td>{@code WS_ERR_INVALID_CLOSE_CODE}</td><td>1002</td><td>a close frame with a code
 *     RFC 6455 §7.4 does not allow</td></tr>
 * <tr><td>{@code WS_ERR_INVALID_CLOSE_FRAME}</td><td>1002</td><td>a close frame with a 1-byte
 *     body or a reason that is not UTF-8</td></tr>
 * <tr><td>{@code WS_ERR_INVALID_LENGTH}</td><td>1002</td><td>a payload length with its most
 *     significant bit set, or not in its shortest form</td></tr>
 * <tr><td>{@code WS_ERR_DATA_AFTER_CLOSE}</td><td>1002</td><td>a data frame after the peer's
 *     close frame</td></tr>
 * <tr><td>{@code WS_ERR_UNEXPECTED_CONTINUATION}, {@code WS_ERR_EXPECTED_CONTINUATION}</td>
 *     <td>1002</td><td>fragments out of order</td></tr>
 * <tr><td>{@code WS_ERR_INVALID_UTF8}</td><td>1007</td><td>a text message or close reason that
 *     is not UTF-8</td></tr>
 * <tr><td>{@code WS_ERR_INVALID_DATA}</td><td>1007</td><td>compressed data that does not
 *     inflate</td></tr>
 * <tr><td>{@code WS_ERR_UNSUPPORTED_MESSAGE_LENGTH}, {@code WS_ERR_MESSAGE_TOO_BIG}</td>
 *     <td>1009</td><td>a frame or message over {@code maxFrameSize} or
 *     {@code maxMessageSize}</td></tr>
 * <tr><td>{@code WS_ERR_POLICY}</td><td>1008</td><td>for example a message not finished within
 *     {@code messageAssemblyTimeout}</td></tr>
 * <tr><td>{@code WS_ERR_SERVER_BUSY}</td><td>1013</td><td>a server-wide budget for unfinished
 *     or spilled messages is spent</td></tr>
 * <tr><td>{@code WS_ERR_INTERNAL}</td><td>1011</td><td>for example no pong within the
 *     keep-alive timeout</td></tr>
 * <tr><td>{@code WS_ERR_PROTOCOL}</td><td>1002</td><td>any other protocol violation</td></tr>
 * </table>
 */
public final class WebSocketProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int closeCode;
    private final String code;

    /**
     * Creates a protocol failure.
     *
     * @param message   what went wrong, for humans
     * @param closeCode the close code sent to the peer, e.g. 1002 or 1009
     * @param code      the stable name of the failure, e.g. {@code "WS_ERR_INVALID_UTF8"}
     */
    public WebSocketProtocolException(String message, int closeCode, String code) {
        super(message);
        this.closeCode = closeCode;
        this.code = code;
    }

    /**
     * Returns the close code Duplex sent (or would have sent) to the peer.
     *
     * @return 1002, 1007, 1008, 1009, 1011 or 1013
     */
    public int closeCode() {
        return closeCode;
    }

    /**
     * Returns the stable name of this kind of failure (see the table above).
     *
     * @return e.g. {@code "WS_ERR_INVALID_UTF8"}
     */
    public String code() {
        return code;
    }
}
