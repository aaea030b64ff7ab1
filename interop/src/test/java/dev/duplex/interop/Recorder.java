package dev.duplex.interop;

import dev.duplex.CloseEvent;
import dev.duplex.ErrorEvent;
import dev.duplex.Event;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records a Duplex socket's events in arrival order; tests take them one by one. */
final class Recorder {
    final WebSocket socket;
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final List<String> types = new ArrayList<>();

    private Recorder(WebSocket socket) {
        this.socket = socket;
    }

    /** Opens a client with {@link WebSocket#connect}, its handlers registered before any event. */
    static Recorder connect(String url, List<String> protocols, WebSocketOptions options) {
        Recorder[] made = new Recorder[1];
        WebSocket.connect(url, protocols, options, socket -> made[0] = attach(socket));
        return made[0];
    }

    /** Registers handlers on {@code socket}: in onconnection, or in the set-up callback of {@link WebSocket#connect}. */
    static Recorder attach(WebSocket socket) {
        Recorder r = new Recorder(socket);
        socket.onopen(r::add);
        socket.onmessage(r::add);
        socket.onerror(r::add);
        socket.onclose(r::add);
        return r;
    }

    private void add(Event e) {
        synchronized (types) {
            types.add(e.type());
        }
        queue.add(e);
    }

    /** The types of the events so far, e.g. [open, message, close]. */
    List<String> types() {
        synchronized (types) {
            return List.copyOf(types);
        }
    }

    Event next(Duration timeout) {
        try {
            Event e = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("no event within " + timeout + "; events so far " + types()
                        + ", readyState " + socket.readyState());
            }
            return e;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    void awaitOpen(Duration timeout) {
        Event e = next(timeout);
        if (!"open".equals(e.type())) {
            throw new AssertionError("expected open, got " + describe(e));
        }
    }

    MessageEvent message(Duration timeout) {
        Event e = next(timeout);
        if ("open".equals(e.type()) && socket.isServerSide()) {
            e = next(timeout);
        }
        if (!(e instanceof MessageEvent m)) {
            throw new AssertionError("expected a message, got " + describe(e) + "; events so far " + types());
        }
        return m;
    }

    /** The next message, which must be text, as a JSON object (acks and info replies). */
    java.util.Map<String, Object> json(Duration timeout) {
        Object data = message(timeout).data();
        if (!(data instanceof String s)) {
            throw new AssertionError("expected a JSON text message, got " + describe(data));
        }
        return Json.object(s);
    }

    /** Skips to the close event (messages in between are dropped); says whether an error came first. */
    CloseEvent awaitClose(Duration timeout) {
        while (true) {
            Event e = next(timeout);
            if (e instanceof CloseEvent c) {
                return c;
            }
        }
    }

    boolean sawError() {
        return types().contains("error");
    }

    static String describe(Object o) {
        if (o instanceof CloseEvent c) {
            return "close(" + c.code() + ", '" + c.reason() + "', wasClean=" + c.wasClean() + ")";
        }
        if (o instanceof ErrorEvent e) {
            return "error(" + e.message() + ", " + e.error() + ")";
        }
        if (o instanceof MessageEvent m) {
            return "message(" + describe(m.data()) + ")";
        }
        if (o instanceof Event e) {
            return e.type();
        }
        if (o instanceof String s) {
            return s.length() > 80 ? "text[" + s.length() + " chars] " + s.substring(0, 80) + "…" : "'" + s + "'";
        }
        return o == null ? "null" : o.getClass().getSimpleName();
    }
}
