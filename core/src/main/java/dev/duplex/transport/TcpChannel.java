package dev.duplex.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A non-blocking TCP connection pinned to one {@link EventLoop}.
 *
 * <p>Writes may be queued from any thread; the loop flushes them with gathering writes, as many
 * buffers per system call as are ready, and reports each write's credit once its last byte has
 * reached the kernel. Reads go through the loop's shared buffer, so an idle connection holds no
 * read buffer of its own.
 */
public final class TcpChannel implements EventLoop.Selectable {
    private static final int MAX_GATHER = 64;
    /**
     * Bytes the library queued on its own (pongs, close echoes, handshake answers) above which
     * the channel stops reading: a peer that sends pings and never reads cannot make the write
     * queue grow without bound. Application sends are limited by {@code maxBufferedAmount}.
     */
    static final long AUTOMATIC_WRITE_HIGH_WATER = 1 << 20;

    private static final int PAUSED_BY_APPLICATION = 1;
    private static final int PAUSED_BY_WRITE_BACKLOG = 2;

    private final EventLoop loop;
    private final ChannelHandler handler;
    private SocketChannel channel;
    private SelectionKey key;
    private EventLoop.Timer connectTimer;

    private final ConcurrentLinkedQueue<Write> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final ArrayDeque<Write> pending = new ArrayDeque<>();   // loop thread only
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private volatile long queuedBytes;                               // written by the loop thread only
    private boolean closeWhenFlushed;
    private boolean outputShut;
    private boolean closed;
    private int readPauses;                                         // loop thread only
    private final java.util.concurrent.atomic.AtomicLong automaticQueued = new java.util.concurrent.atomic.AtomicLong();

    private TcpChannel(EventLoop loop, ChannelHandler handler) {
        this.loop = loop;
        this.handler = handler;
    }

    /**
     * Starts a non-blocking connect to {@code address} on {@code loop}; the handler hears
     * {@code onConnected} or {@code onClosed} with the reason (refused, unreachable, timed out).
     */
    public static TcpChannel connect(EventLoop loop, InetSocketAddress address, long timeoutMillis,
                                     ChannelHandler handler) {
        TcpChannel c = new TcpChannel(loop, handler);
        loop.execute(() -> c.startConnect(address, timeoutMillis));
        return c;
    }

    /** Adopts an accepted connection; must be called on {@code loop}. Reading starts at once. */
    static TcpChannel accepted(EventLoop loop, SocketChannel channel, ChannelHandler handler) throws IOException {
        TcpChannel c = new TcpChannel(loop, handler);
        c.channel = channel;
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.key = loop.register(channel, SelectionKey.OP_READ, c);
        return c;
    }

    public EventLoop loop() {
        return loop;
    }

    /** The remote address, or null before the connection exists. */
    public InetSocketAddress remoteAddress() {
        try {
            return channel == null ? null : (InetSocketAddress) channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    public InetSocketAddress localAddress() {
        try {
            return channel == null ? null : (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    private void startConnect(InetSocketAddress address, long timeoutMillis) {
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean done = channel.connect(address);
            key = loop.register(channel, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
            if (done) {
                handler.onConnected(this);
            } else if (timeoutMillis > 0) {
                connectTimer = loop.schedule(() -> close(new SocketTimeoutException(
                        "Connect to " + address + " timed out after " + timeoutMillis + " ms")),
                        timeoutMillis, TimeUnit.MILLISECONDS);
            }
        } catch (IOException | RuntimeException e) {
            close(asIOException(e, address));
        }
    }

    @Override
    public void onSelected(int readyOps) {
        if (closed) {
            return;
        }
        if ((readyOps & SelectionKey.OP_CONNECT) != 0) {
            finishConnect();
            return;
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            flush();
        }
        if (!closed && (readyOps & SelectionKey.OP_READ) != 0) {
            read();
        }
    }

    private void finishConnect() {
        try {
            channel.finishConnect();
        } catch (IOException e) {
            close(asIOException(e, null));
            return;
        }
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        key.interestOps(SelectionKey.OP_READ);
        handler.onConnected(this);
        flush();
    }

    private IOException asIOException(Exception e, InetSocketAddress address) {
        if (e instanceof ConnectException && address != null && e.getMessage() != null
                && !e.getMessage().contains(address.toString())) {
            return new ConnectException(e.getMessage() + ": " + address);
        }
        return e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
    }

    private void read() {
        ByteBuffer buf = loop.readBuffer();
        int n;
        try {
            n = channel.read(buf);
        } catch (IOException e) {
            close(e);
            return;
        }
        if (n < 0) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            handler.onEndOfStream(this);
            return;
        }
        if (n > 0) {
            buf.flip();
            handler.onData(this, buf);
            if (!closed && automaticQueued.get() > AUTOMATIC_WRITE_HIGH_WATER) {
                setPaused(PAUSED_BY_WRITE_BACKLOG, true);
            }
        }
    }

    /** Stops or resumes reading for the layer above (its back-pressure); on the loop thread. */
    public void pauseReading(boolean pause) {
        setPaused(PAUSED_BY_APPLICATION, pause);
    }

    private void setPaused(int reason, boolean pause) {
        if (closed || key == null) {
            return;
        }
        int before = readPauses;
        readPauses = pause ? before | reason : before & ~reason;
        if ((before == 0) != (readPauses == 0)) {
            int ops = key.interestOps();
            key.interestOps(readPauses != 0 ? ops & ~SelectionKey.OP_READ : ops | SelectionKey.OP_READ);
        }
    }

    /**
     * Queues buffers to write, as one unit with {@code credit}. Safe from any thread; the bytes
     * are written in the order of the calls.
     */
    public void write(ByteBuffer a, ByteBuffer b, long credit) {
        Write w = new Write(a, b, credit);
        if (credit == 0) {
            automaticQueued.addAndGet(w.remaining());
        }
        incoming.add(w);
        // One flush task covers every write queued before it runs: no wakeup per message.
        if (flushScheduled.compareAndSet(false, true)) {
            loop.execute(this::flushFromTask);
        }
    }

    /** Bytes queued and not yet written, as last counted by the loop. */
    public long queuedBytes() {
        return queuedBytes;
    }

    private void flushFromTask() {
        flushScheduled.set(false);
        if (!closed && key != null && (key.interestOps() & SelectionKey.OP_CONNECT) == 0) {
            flush();
        }
    }

    private void flush() {
        Write w;
        while ((w = incoming.poll()) != null) {
            pending.add(w);
            queuedBytes += w.remaining();
        }
        if (closed || channel == null || !channel.isConnected()) {
            return;
        }
        long credit = 0;
        try {
            while (!pending.isEmpty()) {
                int n = 0;
                for (Write p : pending) {
                    if (n + 2 > MAX_GATHER) {
                        break;
                    }
                    if (p.a != null && p.a.hasRemaining()) gather[n++] = p.a;
                    if (p.b != null && p.b.hasRemaining()) gather[n++] = p.b;
                }
                long written = n == 0 ? 0 : channel.write(gather, 0, n);
                java.util.Arrays.fill(gather, 0, n, null);
                queuedBytes -= written;
                while (!pending.isEmpty() && pending.peekFirst().remaining() == 0) {
                    Write done = pending.pollFirst();
                    credit += done.credit;
                    if (done.credit == 0) {
                        automaticQueued.addAndGet(-done.size);
                    }
                }
                if (n > 0 && written == 0) {
                    break;  // kernel buffer full: wait for OP_WRITE
                }
            }
        } catch (IOException e) {
            if (credit > 0) {
                handler.onWritten(this, credit);
            }
            close(e);
            return;
        }
        int ops = key.interestOps();
        int want = pending.isEmpty() ? ops & ~SelectionKey.OP_WRITE : ops | SelectionKey.OP_WRITE;
        if (want != ops) {
            key.interestOps(want);
        }
        if (credit > 0) {
            handler.onWritten(this, credit);
        }
        if ((readPauses & PAUSED_BY_WRITE_BACKLOG) != 0 && automaticQueued.get() <= AUTOMATIC_WRITE_HIGH_WATER / 2) {
            setPaused(PAUSED_BY_WRITE_BACKLOG, false);
        }
        if (pending.isEmpty() && incoming.isEmpty() && closeWhenFlushed) {
            close(null);
        }
    }

    /** Closes the channel once everything queued so far has been written. Any thread. */
    public void closeAfterFlush() {
        loop.execute(() -> {
            closeWhenFlushed = true;
            if (channel == null || !channel.isConnected()) {
                close(null);
            } else {
                flush();
            }
        });
    }

    /** Half-closes: sends FIN after the queued bytes, keeps reading. On the loop thread. */
    public void shutdownOutputAfterFlush() {
        loop.execute(() -> {
            if (closed || outputShut) {
                return;
            }
            flush();
            if (pending.isEmpty()) {
                outputShut = true;
                try {
                    channel.shutdownOutput();
                } catch (IOException ignored) {
                    // The connection is going away anyway.
                }
            }
        });
    }

    /** Closes now, dropping anything unwritten. Safe from any thread. */
    public void abort(IOException cause) {
        if (loop.inLoop()) {
            close(cause);
        } else {
            loop.execute(() -> close(cause));
        }
    }

    public boolean isClosed() {
        return closed;
    }

    private void close(IOException cause) {
        if (closed) {
            return;
        }
        closed = true;
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        if (key != null) {
            key.cancel();
            loop.deregistered();
        }
        if (channel != null) {
            try {
                if (cause != null) {
                    // An error: reset rather than linger.
                    channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
            } catch (IOException | RuntimeException ignored) {
                // Best effort.
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing is all that is left to do.
            }
        }
        pending.clear();
        incoming.clear();
        queuedBytes = 0;
        handler.onClosed(this, cause);
    }

    private static final class Write {
        final ByteBuffer a;
        final ByteBuffer b;
        final long credit;
        final long size;

        Write(ByteBuffer a, ByteBuffer b, long credit) {
            this.a = a;
            this.b = b;
            this.credit = credit;
            this.size = remaining();
        }

        long remaining() {
            return (a == null ? 0 : a.remaining()) + (b == null ? 0 : b.remaining());
        }
    }
}
