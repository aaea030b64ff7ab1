package dev.duplex;

/**
 * An error thrown by the WebSocket API, as the DOM's {@code DOMException}: it is identified
 * by its {@link #name()}, and carries the legacy numeric {@link #code()} as well.
 *
 * <p>Duplex throws these names:
 * <table>
 *   <caption>Names thrown by Duplex</caption>
 *   <tr><th>{@code name()}</th><th>{@code code()}</th><th>thrown when</th></tr>
 *   <tr><td>{@code "InvalidStateError"}</td><td>{@value #INVALID_STATE_ERR}</td>
 *       <td>{@code send()} is called while the socket is still connecting, or an event is
 *       dispatched while it is already being dispatched</td></tr>
 *   <tr><td>{@code "SyntaxError"}</td><td>{@value #SYNTAX_ERR}</td>
 *       <td>a URL or subprotocol is invalid, a message or close reason holds an unpaired
 *       surrogate, or a close reason is longer than 123 bytes</td></tr>
 *   <tr><td>{@code "InvalidAccessError"}</td><td>{@value #INVALID_ACCESS_ERR}</td>
 *       <td>{@code close()} is given a status code the caller may not send</td></tr>
 *   <tr><td>{@code "SecurityError"}</td><td>{@value #SECURITY_ERR}</td>
 *       <td>a URL's port is on the Fetch standard's list of bad ports</td></tr>
 * </table>
 *
 * <p>It is an unchecked exception, since in JavaScript these are programming errors too.
 */
public class DOMException extends RuntimeException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** Legacy code of {@code "InvalidStateError"}: {@value}. */
    public static final int INVALID_STATE_ERR = 11;
    /** Legacy code of {@code "SyntaxError"}: {@value}. */
    public static final int SYNTAX_ERR = 12;
    /** Legacy code of {@code "InvalidAccessError"}: {@value}. */
    public static final int INVALID_ACCESS_ERR = 15;
    /** Legacy code of {@code "SecurityError"}: {@value}. */
    public static final int SECURITY_ERR = 18;

    /** The error name, e.g. {@code "SyntaxError"}. */
    private final String name;

    /**
     * Creates an exception, as {@code new DOMException(message, name)} does in JavaScript.
     *
     * @param message what went wrong, for people
     * @param name    the error name, such as {@code "SyntaxError"}; {@code null} is taken as
     *                {@code "Error"}, as in JavaScript
     */
    public DOMException(String message, String name) {
        this(message, name, null);
    }

    /**
     * Creates an exception with a cause (a Java extension, for chaining the failure behind it).
     *
     * @param message what went wrong, for people
     * @param name    the error name, such as {@code "SyntaxError"}; {@code null} is taken as
     *                {@code "Error"}
     * @param cause   the underlying exception, or {@code null}
     */
    public DOMException(String message, String name, Throwable cause) {
        super(message == null ? "" : message, cause);
        this.name = name == null ? "Error" : name;
    }

    /**
     * Creates an {@code "InvalidStateError"}: the object is not in a state that allows the call.
     *
     * @param message what went wrong, for people
     * @return a new exception whose {@link #code()} is {@link #INVALID_STATE_ERR}
     */
    public static DOMException invalidState(String message) {
        return new DOMException(message, "InvalidStateError");
    }

    /**
     * Creates a {@code "SyntaxError"}: a string argument does not have the required form.
     *
     * @param message what went wrong, for people
     * @return a new exception whose {@link #code()} is {@link #SYNTAX_ERR}
     */
    public static DOMException syntax(String message) {
        return new DOMException(message, "SyntaxError");
    }

    /**
     * Creates an {@code "InvalidAccessError"}: the argument is not allowed for this object.
     *
     * @param message what went wrong, for people
     * @return a new exception whose {@link #code()} is {@link #INVALID_ACCESS_ERR}
     */
    public static DOMException invalidAccess(String message) {
        return new DOMException(message, "InvalidAccessError");
    }

    /**
     * Creates a {@code "SecurityError"}: the operation is not allowed for security reasons.
     *
     * @param message what went wrong, for people
     * @return a new exception whose {@link #code()} is {@link #SECURITY_ERR}
     */
    public static DOMException security(String message) {
        return new DOMException(message, "SecurityError");
    }

    /**
     * Returns the error name, which identifies the kind of error.
     *
     * @return e.g. {@code "SyntaxError"}
     */
    public String name() {
        return name;
    }

    /**
     * Returns the legacy numeric code of the error name, as the DOM standard's table of
     * names gives it.
     *
     * @return e.g. {@link #SYNTAX_ERR} (12) for {@code "SyntaxError"}; 0 for a name that has
     *         no legacy code
     */
    public int code() {
        switch (name) {
            case "IndexSizeError": return 1;
            case "HierarchyRequestError": return 3;
            case "WrongDocumentError": return 4;
            case "InvalidCharacterError": return 5;
            case "NoModificationAllowedError": return 7;
            case "NotFoundError": return 8;
            case "NotSupportedError": return 9;
            case "InUseAttributeError": return 10;
            case "InvalidStateError": return INVALID_STATE_ERR;
            case "SyntaxError": return SYNTAX_ERR;
            case "InvalidModificationError": return 13;
            case "NamespaceError": return 14;
            case "InvalidAccessError": return INVALID_ACCESS_ERR;
            case "TypeMismatchError": return 17;
            case "SecurityError": return SECURITY_ERR;
            case "NetworkError": return 19;
            case "AbortError": return 20;
            case "URLMismatchError": return 21;
            case "QuotaExceededError": return 22;
            case "TimeoutError": return 23;
            case "InvalidNodeTypeError": return 24;
            case "DataCloneError": return 25;
            default: return 0;
        }
    }

    /**
     * Returns the class, name and message, e.g.
     * {@code dev.duplex.DOMException: SyntaxError: The URL 'ftp://x' ...}.
     *
     * @return a description for logs and stack traces
     */
    @Override
    public String toString() {
        String message = getLocalizedMessage();
        return getClass().getName() + ": " + name + (message == null || message.isEmpty() ? "" : ": " + message);
    }
}
