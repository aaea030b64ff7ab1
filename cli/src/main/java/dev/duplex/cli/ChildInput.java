package dev.duplex.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The standard input of one {@code --exec} child, written by a thread of its own. Messages
 * arrive on Duplex's event threads, which every connection shares: a write to a pipe whose
 * reader has stopped blocks, and blocking there would freeze the other connections and the
 * handshakes. So {@link #offer} only queues, and this thread does the writing.
 *
 * <p>The queue is bounded in bytes ({@code --max-backlog}): past the bound {@link #offer}
 * refuses and the caller closes the socket, so a child that never reads costs at most that
 * much memory. {@link #close} lets the thread write what is queued, then close the pipe (the
 * child sees end of input); it never touches the stream itself, since a close from another
 * thread would wait on the lock the blocked writer holds. A writer blocked on a child that
 * does not read is freed when that child is killed (the write fails).
 */
final class ChildInput {
    private static final byte[] END = new byte[0];

    private final OutputStream stdin;
    private final long maxBacklog;
    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final AtomicLong backlog = new AtomicLong();
    private volatile boolean closed;

    ChildInput(OutputStream stdin, long maxBacklog, String name) {
        this.stdin = stdin;
        this.maxBacklog = maxBacklog;
        Thread t = new Thread(null, this::run, name, 128 * 1024);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Queues bytes for the child.
     *
     * @return false if they would take the backlog past the bound (nothing is queued)
     */
    boolean offer(byte[] bytes) {
        if (closed) {
            return true;        // the socket is closing: input no longer matters
        }
        if (backlog.addAndGet(bytes.length) > maxBacklog) {
            backlog.addAndGet(-bytes.length);
            return false;
        }
        queue.add(bytes);
        return true;
    }

    /** Bytes queued and not yet written to the pipe. */
    long backlog() {
        return backlog.get();
    }

    /** Writes what is queued, then closes the child's standard input. */
    void close() {
        if (!closed) {
            closed = true;
            queue.add(END);
        }
    }

    private void run() {
        boolean broken = false;
        try {
            while (true) {
                byte[] b = queue.take();
                if (b == END) {
                    break;
                }
                backlog.addAndGet(-b.length);
                if (broken) {
                    continue;
                }
                try {
                    stdin.write(b);
                    if (queue.isEmpty()) {
                        stdin.flush();
                    }
                } catch (IOException e) {
                    broken = true;      // the child closed its input or exited; its exit closes the socket
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            stdin.close();
        } catch (IOException e) {
            // the child is gone already
        }
    }
}
