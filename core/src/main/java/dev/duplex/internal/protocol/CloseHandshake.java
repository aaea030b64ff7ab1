package dev.duplex.internal.protocol;

/**
 * Where one connection is in the closing handshake (RFC 6455 §7): open, our close frame sent,
 * both close frames exchanged, or failed. It is its own class so that the rules of the handshake
 * read in one place, apart from how frames are read and written: the {@link MessageReader} asks
 * it whether received data still counts, the {@link Connection} moves it on and decides from
 * each move whether a close frame goes out.
 *
 * <p>Not thread-safe: every transition is made with the owning {@link Connection}'s monitor held.
 * The state is volatile so that the receiving thread and the status queries may read it without
 * the monitor; a reader that sees a stale state sees one that an earlier read could have seen.
 */
final class CloseHandshake {
    enum State { OPEN, CLOSE_SENT, CLOSED, FAILED }

    private volatile State state = State.OPEN;

    State state() {
        return state;
    }

    /** No close frame sent or received, no failure: data may still be sent and received. */
    boolean isOpen() {
        return state == State.OPEN;
    }

    /** Both close frames exchanged. */
    boolean isClosed() {
        return state == State.CLOSED;
    }

    /** True once a close frame has been sent (ours, an echo, or after a failure). */
    boolean closeSent() {
        return state != State.OPEN;
    }

    boolean failed() {
        return state == State.FAILED;
    }

    /**
     * Input no longer means anything: after the peer's close frame (control frames are ignored,
     * data is a violation, {@link MessageReader#onFrameStart}) and after a failure.
     */
    boolean finished() {
        State s = state;
        return s == State.CLOSED || s == State.FAILED;
    }

    /** A stream may still send fragments: not after a failure or the peer's close. */
    boolean streamsMayContinue() {
        State s = state;
        return s != State.FAILED && s != State.CLOSED;
    }

    /** Our own close frame went out first (only from OPEN). */
    void closeFrameSent() {
        state = State.CLOSE_SENT;
    }

    /**
     * The peer's close frame arrived. Returns true if it must be echoed (RFC 6455 §5.5.1: we had
     * not sent ours yet).
     */
    boolean peerClosed() {
        boolean echo = state == State.OPEN;
        state = State.CLOSED;
        return echo;
    }

    /**
     * True if a failure ends the connection now: not twice, and after the peer's close only when
     * it is the peer's own violation (data after its close frame).
     */
    boolean mayFail(boolean peerViolation) {
        State s = state;
        return s != State.FAILED && (s != State.CLOSED || peerViolation);
    }

    /** Fails the connection; returns true if a close frame must still be sent (none was). */
    boolean fail() {
        boolean sendClose = state == State.OPEN;
        state = State.FAILED;
        return sendClose;
    }

    /** The connection is over (released): unless both close frames were exchanged, it failed. */
    void release() {
        State s = state;
        if (s == State.OPEN || s == State.CLOSE_SENT) {
            state = State.FAILED;
        }
    }
}
