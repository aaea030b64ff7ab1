package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Records every event a {@link WebSocket} dispatches, with the socket's readyState at dispatch
 * time and the thread it ran on, and checks the per-socket event rules (never concurrent, at most
 * one open and one close, error immediately before close). All waits time out.
 */
final class EventLog {
    static final long WAIT_MILLIS = 15_000;

    /** One dispatched event. */
    record Entry(String type, Event event, int readyState, Thread thread, long nanoTime) {
        MessageEvent message() {
            return (MessageEvent) event;
        }

        CloseEvent close() {
            return (CloseEvent) event;
        }

        ErrorEvent error() {
            return (ErrorEvent) event;
        }
    }

    private final WebSocket socket;
    private final List<Entry> entries = new ArrayList<>();
    private final AtomicInteger inHandler = new AtomicInteger();
    private final List<String> violations = new ArrayList<>();
    /** Events so far per type: waiting checks these, not the whole list, on every event. */
    private final java.util.Map<String, Integer> counts = new java.util.HashMap<>();

    private EventLog(WebSocket socket) {
        this.socket = socket;
    }

    /** Starts recording the open, message, error and close events of {@code socket}. */
    static EventLog attach(WebSocket socket) {
        EventLog log = new EventLog(socket);
        EventListener listener = log::record;
        for (String type : List.of("open", "message", "error", "close")) {
            socket.addEventListener(type, listener);
        }
        return log;
    }

    WebSocket socket() {
        return socket;
    }

    private void record(Event event) {
        int concurrent = inHandler.incrementAndGet();
        try {
            int state = socket.readyState();
            synchronized (this) {
                if (concurrent > 1) {
                    violations.add("event " + event.type() + " dispatched while another handler of the same socket ran");
                }
                if (event.target() != socket) {
                    violations.add("event " + event.type() + " has target " + event.target());
                }
                entries.add(new Entry(event.type(), event, state, Thread.currentThread(), System.nanoTime()));
                counts.merge(event.type(), 1, Integer::sum);
                notifyAll();
            }
            // widen the window in which a concurrent dispatch would be noticed
            Thread.yield();
        } finally {
            inHandler.decrementAndGet();
        }
    }

    // ------------------------------------------------------------------ snapshots

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    synchronized List<String> types() {
        return entries.stream().map(Entry::type).collect(Collectors.toList());
    }

    synchronized List<Object> messages() {
        return entries.stream().filter(e -> e.type().equals("message"))
                .map(e -> e.message().data()).collect(Collectors.toList());
    }

    synchronized long count(String type) {
        return entries.stream().filter(e -> e.type().equals(type)).count();
    }

    // ------------------------------------------------------------------ waiting

    /** Waits for the {@code n}-th (1-based) event of {@code type}. */
    Entry await(String type, int n) {
        return awaitMatching(type + " #" + n, list -> counts.getOrDefault(type, 0) >= n,
                list -> list.stream().filter(e -> e.type().equals(type)).skip(n - 1).findFirst().orElseThrow());
    }

    Entry awaitOpen() {
        return await("open", 1);
    }

    CloseEvent awaitClose() {
        return await("close", 1).close();
    }

    Entry awaitCloseEntry() {
        return await("close", 1);
    }

    /** Waits for {@code n} messages and returns the data of the first {@code n}. */
    List<Object> awaitMessages(int n) {
        return awaitMatching(n + " messages", list -> counts.getOrDefault("message", 0) >= n,
                list -> list.stream().filter(e -> e.type().equals("message")).limit(n)
                        .map(e -> e.message().data()).collect(Collectors.toList()));
    }

    Object awaitMessage() {
        return awaitMessages(1).get(0);
    }

    private synchronized <T> T awaitMatching(String what, Predicate<List<Entry>> done,
            java.util.function.Function<List<Entry>, T> result) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!done.test(entries)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("timed out after " + WAIT_MILLIS + " ms waiting for " + what + " on " + socket
                        + "; events so far: " + describe());
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what);
            }
        }
        return result.apply(entries);
    }

    /** Waits {@code millis} and asserts that no event arrived meanwhile. */
    void assertQuietFor(long millis) {
        int before;
        synchronized (this) {
            before = entries.size();
        }
        sleep(millis);
        synchronized (this) {
            assertThat(entries.size()).as("events after %d ms of expected quiet: %s", millis, describe())
                    .isEqualTo(before);
        }
    }

    // ------------------------------------------------------------------ rules

    /** Asserts the rules every socket's event sequence must follow. */
    synchronized void assertWellFormed() {
        assertThat(violations).as("event dispatch violations").isEmpty();
        List<String> types = types();
        long opens = types.stream().filter("open"::equals).count();
        long closes = types.stream().filter("close"::equals).count();
        long errors = types.stream().filter("error"::equals).count();
        assertThat(opens).as("open events in %s", types).isLessThanOrEqualTo(1);
        if (opens == 1) {
            assertThat(types.get(0)).as("open must be the first event: %s", types).isEqualTo("open");
        }
        assertThat(closes).as("close events in %s", types).isLessThanOrEqualTo(1);
        if (closes == 1) {
            assertThat(types.get(types.size() - 1)).as("close must be the last event: %s", types).isEqualTo("close");
        }
        assertThat(errors).as("error events in %s", types).isLessThanOrEqualTo(1);
        if (errors == 1) {
            int i = types.indexOf("error");
            assertThat(i).as("error must come immediately before close: %s", types)
                    .isEqualTo(types.size() - (closes == 1 ? 2 : 1));
        }
        for (Entry e : entries) {
            switch (e.type()) {
                case "open", "message" -> assertThat(e.readyState()).as("readyState during %s", e.type())
                        .isEqualTo(WebSocket.OPEN);
                case "error", "close" -> assertThat(e.readyState()).as("readyState during %s", e.type())
                        .isEqualTo(WebSocket.CLOSED);
                default -> fail("unexpected event type " + e.type());
            }
        }
    }

    /**
     * Waits for the close event and asserts the failure pattern: error, then close with 1006 and
     * wasClean false. Returns the error event.
     */
    ErrorEvent assertFailed() {
        CloseEvent close = awaitClose();
        assertWellFormed();
        List<String> types = types();
        assertThat(types).as("events of a failed connection").hasSizeGreaterThanOrEqualTo(2);
        assertThat(types.subList(types.size() - 2, types.size())).as("events: %s", types)
                .containsExactly("error", "close");
        assertThat(close.code()).as("close code of a failed connection").isEqualTo(1006);
        assertThat(close.wasClean()).as("wasClean of a failed connection").isFalse();
        ErrorEvent error = entries().get(types.size() - 2).error();
        assertThat(error.error()).as("ErrorEvent.error()").isNotNull();
        assertThat(error.message()).as("ErrorEvent.message()").isNotBlank();
        return error;
    }

    /** The events so far, for failure messages: all of them, or the first and last 20 of a long log. */
    synchronized String describe() {
        if (entries.size() > 50) {
            return describe(entries.subList(0, 20)) + " ... " + (entries.size() - 40) + " more ... "
                    + describe(entries.subList(entries.size() - 20, entries.size()));
        }
        return describe(entries);
    }

    private static String describe(List<Entry> entries) {
        return entries.stream().map(e -> {
            Event ev = e.event();
            String detail = "";
            if (ev instanceof CloseEvent c) {
                detail = "(" + c.code() + ", \"" + c.reason() + "\", clean=" + c.wasClean() + ")";
            } else if (ev instanceof ErrorEvent er) {
                detail = "(" + er.message() + ")";
            } else if (ev instanceof MessageEvent m) {
                Object d = m.data();
                detail = d instanceof String s ? "(text " + s.length() + " chars)"
                        : d instanceof ByteBuffer b ? "(ByteBuffer " + b.remaining() + ")"
                        : d instanceof Blob bl ? "(Blob " + bl.size() + ")" : "(" + d + ")";
            }
            return e.type() + detail + "@" + e.readyState();
        }).collect(Collectors.joining(", ", "[", "]"));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Busy-waits (the thread stays RUNNABLE) for {@code millis}. */
    static void spin(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** Polls {@code condition} until it holds, failing after {@link #WAIT_MILLIS}. */
    static void waitUntil(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + WAIT_MILLIS + " ms waiting until " + what);
            }
            sleep(2);
        }
    }
}
