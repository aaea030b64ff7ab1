package dev.duplex.internal.transport;

import dev.duplex.internal.protocol.FrameEncoder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * One channel's queue of outbound bytes, with its credit accounting: what {@code bufferedAmount}
 * falls by once a write's last byte has reached the kernel. It is apart from {@link TcpChannel}
 * so that partial writes and credit are tested against a fake channel, without sockets.
 *
 * <p>Each entry is one unit with its credit: two buffers, or a WebSocket frame kept as its header
 * fields and payload array, whose header is written straight into the loop's direct write buffer
 * (no buffer objects per frame; only the TLS path turns a frame into two buffers,
 * {@link #gather}). Writes are added from any thread ({@link #addBuffers}, {@link #addFrame}) to
 * a lock-free queue; everything else runs on the loop thread, which first moves them to its
 * own queue ({@link #drainIncoming}). The byte counters are volatile fields changed through
 * field updaters rather than Atomic* objects, and the queue starts with no room: an idle
 * connection carries neither.
 */
final class WriteQueue {
    private final ConcurrentLinkedQueue<Write> incoming = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Write> pending = new ArrayDeque<>(0);  // loop thread only
    private volatile long queued;
    private volatile long automaticQueued;
    private static final AtomicLongFieldUpdater<WriteQueue> QUEUED =
            AtomicLongFieldUpdater.newUpdater(WriteQueue.class, "queued");
    private static final AtomicLongFieldUpdater<WriteQueue> AUTOMATIC_QUEUED =
            AtomicLongFieldUpdater.newUpdater(WriteQueue.class, "automaticQueued");

    /** Queues two buffers (either may be null) as one unit with {@code credit}. Any thread. */
    void addBuffers(ByteBuffer a, ByteBuffer b, long credit) {
        add(new Write(a, b, credit));
    }

    /**
     * Queues a frame: a header made from these fields
     * ({@link FrameEncoder#writeHeader(ByteBuffer, int, long, boolean, int)}), then
     * {@code payload} (already masked, if {@code masked}). Any thread.
     */
    void addFrame(int firstByte, boolean masked, int maskKey, byte[] payload, long credit) {
        add(new Write(firstByte, masked, maskKey, payload, credit));
    }

    private void add(Write w) {
        QUEUED.addAndGet(this, w.size);
        if (w.credit == 0) {
            AUTOMATIC_QUEUED.addAndGet(this, w.size);
        }
        incoming.add(w);
    }

    /** Bytes queued and not yet handed to the kernel (or to TLS). Any thread. */
    long queuedBytes() {
        return queued;
    }

    /** Of {@link #queuedBytes()}, those of writes with no credit: what the library queued itself. */
    long automaticBytes() {
        return automaticQueued;
    }

    /** Moves the writes added since the last call to the loop's queue. */
    void drainIncoming() {
        Write w;
        while ((w = incoming.poll()) != null) {
            pending.add(w);
        }
    }

    /** True if nothing is queued, drained or not. */
    boolean isEmpty() {
        return pending.isEmpty() && incoming.isEmpty();
    }

    /** True if drained writes are left. */
    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Forgets everything queued (the channel closed). */
    void clear() {
        pending.clear();
        incoming.clear();
    }

    // ------------------------------------------------------------------ plain

    /**
     * Writes drained writes to {@code channel} through {@code out} until they are all written or
     * the channel takes no more; returns the credit of the writes completed.
     */
    // The queued frames are heap buffers. Handed to a gathering write, the JDK would copy each
    // of them, whole, into a temporary direct buffer on every call (a third of the CPU of a
    // small-message echo). Instead they are copied here, up to the loop's direct write buffer's
    // size, into that one buffer, written with one write(), and the sources advanced by what the
    // kernel took.
    long writeTo(WritableByteChannel channel, ByteBuffer out) throws IOException {
        long credit = 0;
        while (!pending.isEmpty()) {
            out.clear();
            for (Write p : pending) {
                if (!copyAhead(p, out)) {
                    break;
                }
            }
            out.flip();
            if (!out.hasRemaining()) {
                credit += completeWrites();     // only empty writes were queued
                break;
            }
            int written = channel.write(out);
            consume(written);
            credit += completeWrites();
            if (out.hasRemaining()) {
                break;  // kernel buffer full: wait for OP_WRITE
            }
        }
        return credit;
    }

    // Copies what fits of the write's unwritten bytes into out, without consuming them; false
    // once out is full.
    private static boolean copyAhead(Write p, ByteBuffer out) {
        if (!p.isFrameFields()) {
            return copyAhead(p.a, out) && copyAhead(p.b, out);
        }
        int position = p.framePosition;
        if (position < p.headerSize) {
            if (position == 0 && out.remaining() >= p.headerSize) {
                FrameEncoder.writeHeader(out, p.firstByte, p.payload.length, p.masked, p.maskKey);
            } else if (!copyAhead(p.header().position(position), out)) {
                return false;   // a header cut by a full buffer or a partial write: rare, so encoded again
            }
            position = p.headerSize;
        }
        int offset = position - p.headerSize;
        int n = Math.min(p.payload.length - offset, out.remaining());
        out.put(p.payload, offset, n);
        return offset + n == p.payload.length && out.hasRemaining();
    }

    // Copies what fits of src into out without moving src; false once out is full.
    private static boolean copyAhead(ByteBuffer src, ByteBuffer out) {
        if (src == null || !src.hasRemaining()) {
            return true;
        }
        int n = Math.min(src.remaining(), out.remaining());
        out.put(out.position(), src, src.position(), n);
        out.position(out.position() + n);
        return n == src.remaining() && out.hasRemaining();
    }

    // Advances the queued buffers, in order, past the bytes the kernel accepted.
    private void consume(long written) {
        for (Write p : pending) {
            if (written == 0) {
                return;
            }
            if (p.isFrameFields()) {
                int k = (int) Math.min(written, p.size - p.framePosition);
                p.framePosition += k;
                written -= k;
            } else {
                written -= skip(p.a, written);
                written -= skip(p.b, written);
            }
        }
    }

    private static long skip(ByteBuffer b, long n) {
        if (b == null || n == 0) {
            return 0;
        }
        int k = (int) Math.min(n, b.remaining());
        b.position(b.position() + k);
        return k;
    }

    // ------------------------------------------------------------------ TLS

    /**
     * Puts the unwritten bytes of drained writes, as buffers, into {@code gather} (at most
     * {@code gather.length}, whole writes only); returns how many. The engine consumes them
     * ({@code SSLEngine.wrap}); then {@link #completeWrites()}.
     */
    int gather(ByteBuffer[] gather) {
        int n = 0;
        for (Write p : pending) {
            if (n + 2 > gather.length) {
                break;
            }
            p.asBuffers();      // TLS encrypts from buffers
            if (p.a != null && p.a.hasRemaining()) gather[n++] = p.a;
            if (p.b != null && p.b.hasRemaining()) gather[n++] = p.b;
        }
        return n;
    }

    /** Drops the writes whose bytes are all consumed; returns their credit. */
    long completeWrites() {
        long credit = 0;
        while (!pending.isEmpty() && pending.peekFirst().remaining() == 0) {
            Write done = pending.pollFirst();
            QUEUED.addAndGet(this, -done.size);
            credit += done.credit;
            if (done.credit == 0) {
                AUTOMATIC_QUEUED.addAndGet(this, -done.size);
            }
        }
        return credit;
    }

    /**
     * Bytes queued as one unit: two buffers, or a frame kept as header fields and a payload array
     * (no buffer objects: the plain path writes the header straight into the loop's write
     * buffer). A frame becomes two buffers only on the TLS path ({@link #asBuffers}).
     */
    private static final class Write {
        ByteBuffer a;
        ByteBuffer b;
        final byte[] payload;       // a frame's payload; null for buffer writes
        final int firstByte;
        final boolean masked;
        final int maskKey;
        final int headerSize;
        int framePosition;          // bytes of the frame (header, then payload) already written
        final long credit;
        final long size;

        Write(ByteBuffer a, ByteBuffer b, long credit) {
            this.a = a;
            this.b = b;
            this.payload = null;
            this.firstByte = 0;
            this.masked = false;
            this.maskKey = 0;
            this.headerSize = 0;
            this.credit = credit;
            this.size = remaining();
        }

        Write(int firstByte, boolean masked, int maskKey, byte[] payload, long credit) {
            this.payload = payload;
            this.firstByte = firstByte;
            this.masked = masked;
            this.maskKey = maskKey;
            this.headerSize = FrameEncoder.headerSize(payload.length, masked);
            this.credit = credit;
            this.size = headerSize + (long) payload.length;
        }

        // True for a frame still held as header fields and payload array (not yet as buffers).
        boolean isFrameFields() {
            return payload != null && a == null;
        }

        long remaining() {
            if (isFrameFields()) {
                return size - framePosition;
            }
            return (a == null ? 0 : a.remaining()) + (b == null ? 0 : b.remaining());
        }

        // The frame's header, encoded into a new buffer.
        ByteBuffer header() {
            return FrameEncoder.header(firstByte, payload.length, masked, maskKey);
        }

        // A frame as header and payload buffers, from where writing got to; buffer writes as they are.
        void asBuffers() {
            if (!isFrameFields()) {
                return;
            }
            a = header().position(Math.min(framePosition, headerSize));
            int offset = Math.max(0, framePosition - headerSize);
            b = ByteBuffer.wrap(payload, offset, payload.length - offset);
        }
    }
}
