package dev.duplex.internal.transport;

import dev.duplex.internal.protocol.CodecResources;
import dev.duplex.internal.protocol.MaskKeySource;
import dev.duplex.internal.protocol.ZlibPool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One selector thread. Every channel registered here, and every timer scheduled here, is only
 * ever touched by this thread, so connection state needs no locks.
 *
 * <p>The thread starts on first use and ends by itself after {@link #IDLE_EXIT_MILLIS} with no
 * channel, task or timer, so an application that stops using WebSockets leaves no thread
 * behind; the next use starts a new one. Threads are daemons: they never keep a JVM alive.
 *
 * <p>They must not slow its exit either: a JVM that exits while one of its threads waits in
 * {@code epoll_wait} takes about 0.35 s longer to end (measured on JDK 17: 0.15 s for a program
 * that opens a selector and exits, 0.50 s when a thread is selecting on it, 0.18 s when a
 * shutdown hook closes it). So a shutdown hook, registered when the first loop starts, wakes
 * every loop; a loop that has no channel left then closes its selector and ends at once
 * instead of after {@link #IDLE_EXIT_MILLIS}, and the hook waits up to
 * {@link #EXIT_WAIT_MILLIS} for those threads. Loops that still carry connections go on
 * serving them (other shutdown hooks may be closing them gracefully) and end as soon as
 * their last channel closes.
 */
public final class EventLoop {
    /** How long an unused loop waits before its thread ends. */
    public static final long IDLE_EXIT_MILLIS = 2_000;
    /** How long the JVM shutdown hook waits for idle loops to end. */
    static final long EXIT_WAIT_MILLIS = 200;

    /** Loops whose thread is running, for the shutdown hook. */
    private static final Set<EventLoop> RUNNING = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK_REGISTERED =
            new AtomicBoolean();
    /** Set by the shutdown hook: idle loops end at once. */
    private static volatile boolean exiting;

    /**
     * Read buffer shared by every channel of this loop: idle connections hold no buffer. 256 KiB
     * rather than 64 KiB: a quarter of the read calls for large messages (1 MiB echo about
     * 1.25x faster in bench-servers), and only one per loop.
     */
    static final int READ_BUFFER_SIZE = 256 * 1024;
    /** Bytes of queued frames written per write() call on a plain connection (one direct buffer per loop). */
    static final int WRITE_BUFFER_SIZE = 1024 * 1024;

    /** The loop whose thread is the calling thread, if any. */
    private static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();

    private final String name;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final AtomicLong timerSequence = new AtomicLong();
    private final Object lifecycle = new Object();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_SIZE);
    private final ByteBuffer[] gather = new ByteBuffer[TcpChannel.MAX_GATHER];
    private ByteBuffer writeBuffer;     // direct, made on first use; loop thread only
    private final ZlibPool zlib;
    private volatile CodecResources codecResources;  // made on first use

    private Thread thread;          // guarded by lifecycle
    private Selector selector;      // guarded by lifecycle for creation; used by the loop thread
    private volatile boolean wakeupPending;
    private int channels;           // registered channels; loop thread only

    EventLoop(String name, ZlibPool zlib) {
        this.name = name;
        this.zlib = zlib;
    }

    /**
     * What the protocol objects of this loop's connections share (a client's mask keystream, the
     * group's zlib pool, the inflate buffer, the handshake's SHA-1): the protocol layer holds no
     * statics or ThreadLocals, so the thread that owns the connections owns these. The parts that
     * are not thread-safe are used by this loop's thread only (receiving, handshakes).
     */
    public CodecResources codecResources() {
        CodecResources r = codecResources;
        if (r == null) {
            synchronized (lifecycle) {
                r = codecResources;
                if (r == null) {
                    r = codecResources = new CodecResources(MaskKeySource.keystream(new SecureRandom()), zlib);
                }
            }
        }
        return r;
    }

    /** True if the calling thread is some event loop's thread (where nothing may block). */
    public static boolean onAnyLoop() {
        return CURRENT.get() != null;
    }

    /** The loop whose thread is the calling thread, or null on any other thread. */
    public static EventLoop current() {
        return CURRENT.get();
    }

    /** True if the caller is this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop thread, soon; starts the thread if it is not running. */
    public void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() == thread) {
            return;     // the loop runs its tasks before it selects again: no wake-up needed
        }
        synchronized (lifecycle) {
            if (thread == null) {
                start();
                return;
            }
        }
        wakeup();
    }

    /**
     * Runs {@code task} on the loop after {@code delay}. Must be called on the loop thread.
     * Cancel the returned timer if it is no longer needed.
     */
    public Timer schedule(Runnable task, long delay, TimeUnit unit) {
        assert inLoop();
        Timer t = new Timer(task, System.nanoTime() + unit.toNanos(delay), timerSequence.getAndIncrement());
        timers.add(t);
        return t;
    }

    /**
     * The array a channel's gathering write fills and clears on this loop's thread: one per loop
     * rather than one per connection (idle connections hold none).
     */
    ByteBuffer[] gatherArray() {
        return gather;
    }

    /** The direct buffer plain channels copy queued frames into before a write (loop thread only). */
    ByteBuffer writeBuffer() {
        if (writeBuffer == null) {
            writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER_SIZE);
        }
        return writeBuffer;
    }

    /** The shared read buffer, cleared; only for use on the loop thread, and only within one callback. */
    ByteBuffer readBuffer() {
        return readBuffer.clear();
    }

    /** Registers a channel with this loop's selector; on the loop thread. */
    SelectionKey register(SelectableChannel channel, int ops, Object attachment) throws ClosedChannelException {
        assert inLoop();
        SelectionKey key = channel.register(selector, ops, attachment);
        channels++;
        return key;
    }

    /** Called when a registered channel is closed; on the loop thread. */
    void deregistered() {
        channels--;
    }

    private void start() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open a selector", e);
        }
        if (HOOK_REGISTERED.compareAndSet(false, true)) {
            registerShutdownHook();
        }
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        RUNNING.add(this);
        thread.start();
    }

    private static void registerShutdownHook() {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(EventLoop::atExit, "duplex-exit"));
        } catch (IllegalStateException alreadyExiting) {
            exiting = true;
        }
    }

    // The JVM is exiting: wake every loop so that idle ones end now, then wait a little for them.
    private static void atExit() {
        exiting = true;
        List<Thread> idle = new ArrayList<>();
        for (EventLoop loop : RUNNING) {
            synchronized (loop.lifecycle) {
                if (loop.thread != null) {
                    idle.add(loop.thread);
                    loop.wakeupPending = false;
                    loop.wakeup();
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MILLIS);
        for (Thread t : idle) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void wakeup() {
        if (!wakeupPending) {
            wakeupPending = true;
            Selector s = selector;
            if (s != null) {
                s.wakeup();
            }
        }
    }

    private void run() {
        CURRENT.set(this);
        long idleSince = System.nanoTime();
        while (true) {
            if (runTasks() | runTimers()) {
                idleSince = System.nanoTime();      // work done here counts: the idle time starts again
            }
            // At exit a loop without channels ends even with timers left: they belong to
            // connections that are gone (close timers) or to no one who can still wait for them.
            if (channels == 0 && tasks.isEmpty() && (timers.isEmpty() || exiting)) {
                if (exiting || System.nanoTime() - idleSince >= TimeUnit.MILLISECONDS.toNanos(IDLE_EXIT_MILLIS)) {
                    synchronized (lifecycle) {
                        if (tasks.isEmpty()) {
                            closeSelector();
                            thread = null;
                            selector = null;
                            RUNNING.remove(this);
                            return;
                        }
                    }
                }
            } else {
                idleSince = System.nanoTime();
            }
            try {
                long timeout = selectTimeoutMillis();
                wakeupPending = false;
                if (!tasks.isEmpty()) {
                    selector.selectNow();
                } else {
                    selector.select(timeout);
                }
            } catch (IOException e) {
                // A broken selector is not recoverable for its channels; report and keep serving tasks.
                e.printStackTrace();
            }
            for (SelectionKey key : selector.selectedKeys()) {
                handle(key);
            }
            selector.selectedKeys().clear();
        }
    }

    private void handle(SelectionKey key) {
        Object att = key.attachment();
        try {
            if (att instanceof Selectable selectable) {
                selectable.onSelected(key.readyOps());
            }
        } catch (CancelledKeyException ignored) {
            // The channel was closed by an earlier callback of this round.
        } catch (RuntimeException | Error e) {
            reportCrash(e);
        }
    }

    /** Runs the tasks queued so far; true if there was any. */
    private boolean runTasks() {
        boolean ran = false;
        for (int n = tasks.size(); n > 0; n--) {
            Runnable task = tasks.poll();
            if (task == null) {
                break;
            }
            ran = true;
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                reportCrash(e);
            }
        }
        return ran;
    }

    /** Runs the timers that are due; true if any ran. */
    private boolean runTimers() {
        boolean ran = false;
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && t.deadline - now <= 0) {
            timers.poll();
            if (!t.cancelled) {
                t.cancelled = true;
                ran = true;
                try {
                    t.task.run();
                } catch (RuntimeException | Error e) {
                    reportCrash(e);
                }
            }
        }
        return ran;
    }

    private long selectTimeoutMillis() {
        Timer t;
        while ((t = timers.peek()) != null && t.cancelled) {
            timers.poll();
        }
        long idleCheck = IDLE_EXIT_MILLIS;
        if (t == null) {
            return idleCheck;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(t.deadline - System.nanoTime()) + 1;
        return Math.max(1, Math.min(ms, idleCheck));
    }

    private void closeSelector() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // Nothing is registered any more; nothing to recover.
        }
    }

    private void reportCrash(Throwable e) {
        Failures.report(e);
    }

    /** Something attached to a selection key: told which operations are ready. */
    interface Selectable {
        void onSelected(int readyOps);
    }

    /** A scheduled task; {@link #cancel()} it from the loop thread. */
    public static final class Timer implements Comparable<Timer> {
        private final Runnable task;
        private final long deadline;
        private final long sequence;
        private boolean cancelled;

        private Timer(Runnable task, long deadline, long sequence) {
            this.task = task;
            this.deadline = deadline;
            this.sequence = sequence;
        }

        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadline - o.deadline, 0);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
