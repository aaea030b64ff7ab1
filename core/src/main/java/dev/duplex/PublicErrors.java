package dev.duplex;

import dev.duplex.internal.protocol.HandshakeException;
import dev.duplex.internal.protocol.HttpHead;
import dev.duplex.internal.protocol.ProtocolException;
import dev.duplex.internal.transport.ProxyException;

/**
 * Turns the internal layers' exceptions into the public ones at the API boundary, so that
 * {@link ErrorEvent#error()} never hands out a type of an unexported package. Causes are kept
 * only where they are the JDK's own (an {@code IOException} under a proxy failure, say).
 */
final class PublicErrors {
    private PublicErrors() {}

    static Throwable of(Throwable e) {
        if (e instanceof ProtocolException p) {
            return withTrace(new WebSocketProtocolException(p.getMessage(), p.closeCode(), p.code()), p);
        }
        if (e instanceof HandshakeException h) {
            HttpHead r = h.response();
            WebSocketHandshakeException out = r == null
                    ? new WebSocketHandshakeException(h.getMessage(), 0, null, "", false)
                    : new WebSocketHandshakeException(h.getMessage(), r.status(),
                            r.headers(), h.bodyExcerpt(), false);
            return withTrace(out, h);
        }
        if (e instanceof ProxyException p) {
            return withTrace(new WebSocketHandshakeException(p.getMessage(), p.status(), p.headers(), "", true), p);
        }
        return e;
    }

    // Where the failure was detected matters more in a bug report than where it was converted.
    private static Throwable withTrace(Throwable out, Throwable internal) {
        out.setStackTrace(internal.getStackTrace());
        if (internal.getCause() != null) {
            out.initCause(internal.getCause());
        }
        return out;
    }
}
