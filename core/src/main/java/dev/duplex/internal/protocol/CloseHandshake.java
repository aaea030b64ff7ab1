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
    // CLOSE_RECEIVED: the peer's close arrived and our answer is held (holdAnswer): messages may
    // still be sent, nothing more is received.
    enum State { OPEN, CLOSE_SENT, CLOSE_RECEIVED, CLOSED, FAILED }

    private volatile State state = State.OPEN;
    private boolean holdAnswer;             // the peer's close is answered by answer(), not at once
    private boolean dataAfterOwnClose;      // data received after our close frame still counts

    /**
     * The peer's close frame is answered only when {@link #answer()} is called (a server does so
     * after the handlers of the messages received before it ran: RFC 6455 §5.5.1 lets an
     * endpoint delay its close "until after it sends its current message").
     */
    void holdAnswer() {
        holdAnswer = true;
    }

    /** Messages received after our own close frame are delivered instead of discarded. */
    void keepDataAfterOwnClose() {
        dataAfterOwnClose = true;
    }

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

    /** The peer's close frame arrived (answered or not): data from the peer is now a violation. */
    boolean peerCloseReceived() {
        State s = state;
        return s == State.CLOSED || s == State.CLOSE_RECEIVED;
    }

    /** The peer's close frame waits for {@link #answer()}. */
    boolean awaitsAnswer() {
        return state == State.CLOSE_RECEIVED;
    }

    /** Messages may be queued: while open, and while our answer to the peer's close is held. */
    boolean mayQueueMessages() {
        State s = state;
        return s == State.OPEN || s == State.CLOSE_RECEIVED;
    }

    /** Received data still counts: while open, and after our own close if asked to keep it. */
    boolean acceptsData() {
        State s = state;
        return s == State.OPEN || (s == State.CLOSE_SENT && dataAfterOwnClose);
    }

    /** True once a close frame has been sent (ours, an echo, or after a failure). */
    boolean closeSent() {
        State s = state;
        return s != State.OPEN && s != State.CLOSE_RECEIVED;
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
        return s == State.CLOSED || s == State.CLOSE_RECEIVED || s == State.FAILED;
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
        if (state == State.OPEN && holdAnswer) {
            state = State.CLOSE_RECEIVED;       // answer() echoes it
            return false;
        }
        boolean echo = state == State.OPEN;
        state = State.CLOSED;
        return echo;
    }

    /** The held answer to the peer's close goes out now; returns false if there is none to send. */
    boolean answer() {
        if (state != State.CLOSE_RECEIVED) {
            return false;
        }
        state = State.CLOSED;
        return true;
    }

    /**
     * True if a failure ends the connection now: not twice, and after the peer's close only when
     * it is the peer's own violation (data after its close frame).
     */
    boolean mayFail(boolean peerViolation) {
        State s = state;
        return s != State.FAILED && ((s != State.CLOSED && s != State.CLOSE_RECEIVED) || peerViolation);
    }

    /** Fails the connection; returns true if a close frame must still be sent (none was). */
    boolean fail() {
        boolean sendClose = state == State.OPEN || state == State.CLOSE_RECEIVED;
        state = State.FAILED;
        return sendClose;
    }

    /** The connection is over (released): unless both close frames were exchanged, it failed. */
    void release() {
        State s = state;
        if (s == State.OPEN || s == State.CLOSE_SENT || s == State.CLOSE_RECEIVED) {
            state = State.FAILED;
        }
    }
}
