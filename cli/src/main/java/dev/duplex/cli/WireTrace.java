package dev.duplex.cli;

import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@code --verbose}: turns on Duplex's wire log (the {@code dev.duplex.wire} System.Logger, whose
 * default backend is java.util.logging) and prints its lines (handshake headers, one line per
 * frame) through the command's own printer, so they do not break an interactive prompt. The
 * values of {@code Authorization}, {@code Proxy-Authorization}, {@code Cookie} and
 * {@code Set-Cookie} are {@link Redact#headerLine redacted}, and control characters escaped.
 */
final class WireTrace {
    // java.util.logging keeps loggers weakly: hold it, or the configuration is lost.
    private static Logger wire;

    private WireTrace() {
    }

    static synchronized void install(Consumer<String> printer) {
        wire = Logger.getLogger("dev.duplex.wire");
        wire.setUseParentHandlers(false);
        wire.setLevel(Level.FINER);      // FINE: handshake heads; FINER: frames
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                for (String line : r.getMessage().split("\n")) {
                    printer.accept(Terminal.printable(Redact.headerLine(line)));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        h.setLevel(Level.ALL);
        wire.addHandler(h);
    }
}
