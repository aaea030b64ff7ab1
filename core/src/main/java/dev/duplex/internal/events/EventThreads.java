package dev.duplex.internal.events;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default executor for event handlers: a small pool of daemon threads, one per processor
 * (at least two), that end after a few idle seconds. Handlers of one socket still run one at a
 * time ({@link EventDispatcher}); handlers that block for long should use their own executor.
 */
public final class EventThreads {
    private static final Executor SHARED = create();

    private EventThreads() {}

    public static Executor shared() {
        return SHARED;
    }

    private static Executor create() {
        int n = Math.max(2, Runtime.getRuntime().availableProcessors());
        AtomicInteger ids = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "duplex-event-" + ids.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
