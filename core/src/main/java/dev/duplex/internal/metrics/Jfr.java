package dev.duplex.internal.metrics;

/**
 * Commits Duplex's Flight Recorder events. Each method makes its event and fills it only if a
 * recording enables that event type: with no recording, the event classes are not
 * instrumented, {@code isEnabled()} is false, and the JIT removes the allocation, so a call
 * costs a branch. Message events are also skipped, before anything else, below
 * {@link #MESSAGE_SIZE_THRESHOLD}.
 */
public final class Jfr {
    /**
     * Messages smaller than this many bytes get no {@code dev.duplex.MessageSent} or
     * {@code dev.duplex.MessageReceived} event: the system property
     * {@code duplex.jfr.messageSizeThreshold}, 64 KiB by default (0 records every message).
     */
    public static final long MESSAGE_SIZE_THRESHOLD = Math.max(0, Long.getLong("duplex.jfr.messageSizeThreshold", 64 * 1024));

    /** The connection an event is about. */
    public interface Endpoint {
        /** @return the peer as host:port */
        String peerName();

        /** @return true on a server's connection */
        boolean isServer();
    }

    private Jfr() {}

    public static void opened(Endpoint at) {
        ConnectionOpened e = new ConnectionOpened();
        if (e.isEnabled()) {
            e.peer = at.peerName();
            e.serverSide = at.isServer();
            e.commit();
        }
    }

    public static void closed(Endpoint at, int code, String reason, boolean wasClean, Throwable error) {
        ConnectionClosed e = new ConnectionClosed();
        if (e.isEnabled()) {
            e.peer = at.peerName();
            e.serverSide = at.isServer();
            e.code = code;
            e.reason = reason;
            e.wasClean = wasClean;
            e.error = error == null ? null : error.getMessage();
            e.commit();
        }
    }

    public static void handshakeFailed(Endpoint at, int status, Throwable error) {
        HandshakeFailed e = new HandshakeFailed();
        if (e.isEnabled()) {
            e.peer = at.peerName();
            e.serverSide = at.isServer();
            e.status = status;
            e.message = error == null ? null : error.getMessage();
            e.commit();
        }
    }

    public static void sent(Endpoint at, boolean text, long size) {
        if (size < MESSAGE_SIZE_THRESHOLD) {
            return;
        }
        MessageSent e = new MessageSent();
        if (e.isEnabled()) {
            e.peer = at.peerName();
            e.serverSide = at.isServer();
            e.size = size;
            e.type = text ? "text" : "binary";
            e.commit();
        }
    }

    public static void received(Endpoint at, long size) {
        if (size < MESSAGE_SIZE_THRESHOLD) {
            return;
        }
        receivedEvent(at, false, size);
    }

    public static void receivedText(Endpoint at, String text) {
        if (3L * text.length() < MESSAGE_SIZE_THRESHOLD) {
            return;     // a char is at most 3 bytes of UTF-8 (a pair of surrogates 4 for 2 chars)
        }
        MessageReceived probe = new MessageReceived();
        if (!probe.isEnabled()) {
            return;
        }
        long size = utf8Length(text);
        if (size >= MESSAGE_SIZE_THRESHOLD) {
            receivedEvent(at, true, size);
        }
    }

    private static void receivedEvent(Endpoint at, boolean text, long size) {
        MessageReceived e = new MessageReceived();
        if (e.isEnabled()) {
            e.peer = at.peerName();
            e.serverSide = at.isServer();
            e.size = size;
            e.type = text ? "text" : "binary";
            e.commit();
        }
    }

    public static void backPressure(Endpoint at, boolean paused) {
        BackPressure e = new BackPressure();
        if (e.isEnabled()) {
            e.peer = at.peerName();
            e.serverSide = at.isServer();
            e.paused = paused;
            e.commit();
        }
    }

    /** UTF-8 bytes of a valid string (received text always is). */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
