package dev.duplex.internal.session;

import dev.duplex.internal.transport.EventLoop;
import dev.duplex.internal.transport.TcpChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Sends the body of an {@code HttpResponse.ofFile} response: one chunk of {@link #CHUNK} bytes
 * at a time, read on the event executor (a disk read may block; the I/O loop must not) and
 * queued on the loop, only while less than {@link #HIGH_WATER} bytes wait to be written, so a
 * slow client holds a few chunks, never the file.
 *
 * <p>The channel does not tell the plain-HTTP path when its queue drains (that callback carries
 * a WebSocket's {@code bufferedAmount}), so a full queue is checked again every
 * {@link #RECHECK_MILLIS} ms on the loop; a queue that has not moved for {@code stallMillis}
 * (the server's {@code handshakeTimeout}) drops the client, as a stalled upgrade would be.
 * Every way out closes the file.
 */
public final class FileBodyWriter {
    public static final int CHUNK = 64 * 1024;
    public static final long HIGH_WATER = 4L * CHUNK;
    public static final long RECHECK_MILLIS = 2;

    private final TcpChannel channel;
    private final EventLoop loop;
    private final Executor executor;
    private final Path path;
    private final long stallMillis;
    private final Runnable done;
    private FileChannel file;
    private long remaining;
    private long position;
    private long lastQueued = -1;
    private long stalledSince;

    /**
     * @param done run on the loop once the whole body is queued (it closes after the flush)
     */
    public FileBodyWriter(TcpChannel channel, EventLoop loop, Executor executor, Path path, long length,
                   long stallMillis, Runnable done) {
        this.channel = channel;
        this.loop = loop;
        this.executor = executor;
        this.path = path;
        this.remaining = length;
        this.stallMillis = stallMillis;
        this.done = done;
    }

    /** Starts sending; call on the loop after the head was queued. */
    public void start() {
        if (remaining == 0) {
            done.run();
            return;
        }
        executor.execute(this::readChunk);
    }

    // On the executor: the next chunk from the file, then back to the loop to queue it.
    private void readChunk() {
        ByteBuffer chunk;
        try {
            if (file == null) {
                file = FileChannel.open(path, StandardOpenOption.READ);
            }
            chunk = ByteBuffer.allocate((int) Math.min(CHUNK, remaining));
            while (chunk.hasRemaining()) {
                int n = file.read(chunk, position + chunk.position());
                if (n < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            loop.execute(this::endShort);
            return;
        }
        chunk.flip();
        loop.execute(() -> queue(chunk));
    }

    // On the loop.
    private void queue(ByteBuffer chunk) {
        if (channel.isClosed()) {
            closeFile();
            return;
        }
        if (!chunk.hasRemaining()) {
            endShort();     // the file shrank: the client sees fewer bytes than Content-Length
            return;
        }
        position += chunk.remaining();
        remaining -= chunk.remaining();
        channel.write(chunk, null, 0);
        if (remaining == 0) {
            closeFile();
            done.run();
        } else {
            stalledSince = System.nanoTime();
            pump();
        }
    }

    // On the loop: read more once the queue has room.
    private void pump() {
        if (channel.isClosed()) {
            closeFile();
            return;
        }
        long queued = channel.queuedBytes();
        if (queued < HIGH_WATER) {
            executor.execute(this::readChunk);
            return;
        }
        long now = System.nanoTime();
        if (queued != lastQueued) {
            lastQueued = queued;
            stalledSince = now;
        } else if (now - stalledSince > TimeUnit.MILLISECONDS.toNanos(stallMillis)) {
            abort(new IOException("The client read nothing of " + path + " for " + stallMillis
                    + " ms (ServerOptions.handshakeTimeout)"));
            return;
        }
        loop.schedule(this::pump, RECHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    // What was queued still goes out, then the connection closes: a body shorter than its
    // Content-Length, which every HTTP client reports as truncated.
    private void endShort() {
        closeFile();
        channel.closeAfterFlush();
    }

    private void abort(IOException cause) {
        closeFile();
        channel.abort(cause);
    }

    private void closeFile() {
        FileChannel f = file;
        file = null;
        if (f != null) {
            try {
                f.close();
            } catch (IOException ignored) {
                // read-only: nothing is lost
            }
        }
    }
}
