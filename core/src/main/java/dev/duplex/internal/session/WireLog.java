package dev.duplex.internal.session;

import dev.duplex.internal.protocol.FrameTracer;
import dev.duplex.internal.protocol.HttpHead;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Debug output of what crosses the wire, through the JDK's {@link System.Logger} named
 * {@value #NAME} (no logging library needed): at {@code DEBUG} the opening-handshake heads, at
 * {@code TRACE} also one line per frame. Off by default; with java.util.logging as the backend,
 * level {@code FINE} (DEBUG) or {@code FINER} (TRACE) on that logger turns it on, and
 * {@code duplex --verbose} does that. Each line starts with the peer's address and {@code >}
 * (sent) or {@code <} (received).
 */
public final class WireLog {
    public static final String NAME = "dev.duplex.wire";
    private static final System.Logger LOG = System.getLogger(NAME);

    private WireLog() {
    }

    public static boolean handshakes() {
        return LOG.isLoggable(Level.DEBUG);
    }

    /** A tracer for a new connection's frames, or null when frame tracing is off (checked once per connection). */
    public static FrameTracer frames(boolean server, Object peer) {
        if (!LOG.isLoggable(Level.TRACE)) {
            return null;
        }
        String prefix = peer + " ";
        return new FrameTracer(server, line -> LOG.log(Level.TRACE, prefix + line));
    }

    /** Logs a head we are about to send, from its encoded bytes. */
    public static void sent(Object peer, ByteBuffer head) {
        ByteBuffer b = head.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        log(peer, '>', (end < 0 ? text : text.substring(0, end)).split("\r\n"));
    }

    /** Logs a head we received. */
    public static void received(Object peer, HttpHead head) {
        StringBuilder sb = new StringBuilder(head.startLine());
        for (Map.Entry<String, List<String>> e : head.headers().entrySet()) {
            for (String v : e.getValue()) {
                sb.append('\n').append(e.getKey()).append(": ").append(v);
            }
        }
        log(peer, '<', sb.toString().split("\n"));
    }

    private static void log(Object peer, char direction, String[] lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                sb.append('\n');
            }
            sb.append(peer).append(' ').append(direction).append(' ').append(redacted(lines[i]));
        }
        LOG.log(Level.DEBUG, sb.toString());
    }

    /** Header fields that carry credentials: their values never reach a log. */
    private static final List<String> SECRET_FIELDS = List.of("authorization:", "proxy-authorization:", "cookie:",
            "set-cookie:");

    // A head line with the value of a credential-bearing field replaced by "(redacted, N bytes)".
    public static String redacted(String line) {
        for (String field : SECRET_FIELDS) {
            if (line.regionMatches(true, 0, field, 0, field.length())) {
                int value = line.length() - field.length();
                return line.substring(0, field.length() - 1) + ": (redacted, " + value + " bytes)";
            }
        }
        return line;
    }
}
