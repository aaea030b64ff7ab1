package dev.duplex.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads the user's input on a thread of its own while the main thread watches the connection:
 * a read of standard input cannot be interrupted, so the main thread must not be the one that
 * blocks in it, or a server's close would go unnoticed until the next line.
 */
final class InputReader {
    /** What the reading thread does: read lines and send them, until input ends or the socket closes. */
    interface Loop {
        void run() throws IOException, InterruptedException;
    }

    private InputReader() {
    }

    /**
     * Runs {@code loop} on the daemon thread {@code duplex-stdin} and returns when it has ended or
     * {@code closed} has been counted down, whichever comes first (the thread may then still be
     * blocked in a read; it dies with the process).
     *
     * @param what the input's name in the error message, e.g. "standard input"
     */
    static void runUntilEndOrClose(Loop loop, CountDownLatch closed, PrintStream err, String what)
            throws InterruptedException {
        CountDownLatch inputEnded = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try {
                loop.run();
            } catch (IOException e) {
                err.println("duplex connect: cannot read " + what + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inputEnded.countDown();
            }
        }, "duplex-stdin");
        reader.setDaemon(true);
        reader.start();
        while (closed.getCount() > 0 && !inputEnded.await(50, TimeUnit.MILLISECONDS)) {
            // waiting for either
        }
    }
}
