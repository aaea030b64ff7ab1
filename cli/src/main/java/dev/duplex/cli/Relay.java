package dev.duplex.cli;

import dev.duplex.Blob;
import dev.duplex.WebSocket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends received messages on (the echo and broadcast servers of {@code serve}, {@code bench}'s
 * embedded server) and releases each received {@link Blob} with {@link Blob#close()} once every
 * copy of it has been written, so a message kept in a temporary file does not hold disk (and the
 * server's {@code maxTemporaryFileBytes} budget) until some later garbage collection.
 *
 * <p>A blob no longer than {@code largeMessageThreshold} was received into memory; sending it
 * copies or shares its bytes at once, so it is released right after the sends. A longer one
 * lives in a file that {@code send(Blob)} reads while the frames go out, so it may be released
 * only when each recipient has written it. The library says when bytes are written only through
 * {@link WebSocket#bufferedAmount()}, which counts the payload bytes queued and not yet written,
 * in the order they were queued. So once the blob is queued on a socket, this class counts the
 * payload bytes it queues there afterwards ({@code after}); the blob has been written as soon as
 * {@code bufferedAmount() <= after}: what is still unwritten all came after it. Bytes someone
 * else queued on the socket would only make the test pass later, never too early; a socket
 * that is {@link WebSocket#CLOSED} sends nothing more. A timer thread checks every
 * {@value #CHECK_MILLIS} ms while blobs are waiting.
 */
final class Relay {
    static final long CHECK_MILLIS = 50;

    private final long inMemoryLimit;
    /** For each socket with a large blob waiting: the payload bytes queued on it since. */
    private final ConcurrentHashMap<WebSocket, Watch> watched = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    private volatile ScheduledExecutorService timer;

    /** @param inMemoryLimit the receiving server's {@code largeMessageThreshold} */
    Relay(long inMemoryLimit) {
        this.inMemoryLimit = inMemoryLimit;
    }

    private static final class Watch {
        final AtomicLong queued = new AtomicLong();
        int users;      // guarded by the map's compute

        /**
         * Sends and counts in one step, so the count follows the order of the socket's queue
         * (a send counted out of order could make a blob look written too early). Returns the
         * count including this message.
         */
        synchronized long sent(WebSocket to, Object data, long size) {
            if (data instanceof String) {
                to.send((String) data);
            } else {
                to.send((Blob) data);
            }
            return queued.addAndGet(size);
        }
    }

    /** A large blob waiting for its copies: each with the socket, its watch and the count at queueing. */
    private static final class Waiting {
        final Blob blob;
        final List<WebSocket> sockets = new ArrayList<>();
        final List<Watch> watches = new ArrayList<>();
        final List<Long> marks = new ArrayList<>();

        Waiting(Blob blob) {
            this.blob = blob;
        }
    }

    /** Sends {@code data} (a String or a Blob) to {@code to} and releases a blob when it is written. */
    void relay(Object data, WebSocket to) {
        relay(data, List.of(to));
    }

    /** Sends {@code data} to each open socket of {@code recipients}, then releases it as the class says. */
    void relay(Object data, Iterable<WebSocket> recipients) {
        if (data instanceof String) {
            String text = (String) data;
            long size = -1;
            for (WebSocket to : recipients) {
                if (to.readyState() == WebSocket.OPEN) {
                    Watch w = watched.get(to);
                    if (w == null) {
                        to.send(text);
                    } else {
                        if (size < 0) {
                            size = text.getBytes(StandardCharsets.UTF_8).length;
                        }
                        w.sent(to, text, size);
                    }
                }
            }
            return;
        }
        Blob blob = (Blob) data;
        boolean large = blob.size() > inMemoryLimit;
        Waiting wait = large ? new Waiting(blob) : null;
        for (WebSocket to : recipients) {
            if (to.readyState() != WebSocket.OPEN) {
                continue;
            }
            if (large) {
                // Watch the socket before queueing: sends that miss the watch are not counted,
                // which only delays the release.
                Watch w = watched.compute(to, (k, v) -> {
                    Watch x = v == null ? new Watch() : v;
                    x.users++;
                    return x;
                });
                wait.sockets.add(to);
                wait.watches.add(w);
                wait.marks.add(w.sent(to, blob, blob.size()));
            } else {
                Watch w = watched.get(to);
                if (w == null) {
                    to.send(blob);
                } else {
                    w.sent(to, blob, blob.size());
                }
            }
        }
        if (wait == null || wait.sockets.isEmpty()) {
            blob.close();
            return;
        }
        waiting.add(wait);
        startTimer();
    }

    private void startTimer() {
        if (timer == null) {
            synchronized (this) {
                if (timer == null) {
                    ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread th = new Thread(r, "duplex-blob-release");
                        th.setDaemon(true);
                        return th;
                    });
                    t.scheduleWithFixedDelay(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
                    timer = t;
                }
            }
        }
    }

    /** Releases every waiting blob whose copies are all written (or whose sockets closed). */
    private void check() {
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            boolean written = true;
            for (int i = 0; i < w.sockets.size() && written; i++) {
                WebSocket s = w.sockets.get(i);
                long after = w.watches.get(i).queued.get() - w.marks.get(i);
                written = s.readyState() == WebSocket.CLOSED || s.bufferedAmount() <= after;
            }
            if (written) {
                it.remove();
                for (WebSocket s : w.sockets) {
                    watched.computeIfPresent(s, (k, v) -> --v.users == 0 ? null : v);
                }
                w.blob.close();
            }
        }
    }

    /** Large blobs sent and not yet released (for tests and the status line). */
    int waiting() {
        return waiting.size();
    }
}
