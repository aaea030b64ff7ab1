package dev.duplex.internal.transport;

import dev.duplex.internal.protocol.ZlibPool;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of {@link EventLoop}s; connections are spread over them round-robin and stay on
 * the loop they were given. The shared group has one loop per available processor.
 *
 * <p>The loops share one {@link ZlibPool}: its bound on idle native compressors is then the
 * group's, whatever the number of loops (each loop's other codec resources are its own,
 * {@link EventLoop#codecResources()}).
 */
public final class EventLoopGroup {
    private static final EventLoopGroup SHARED =
            new EventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()), "duplex-io");

    private final EventLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();
    private final ZlibPool zlib = new ZlibPool();

    public EventLoopGroup(int size, String namePrefix) {
        if (size < 1) {
            throw new IllegalArgumentException("An event loop group needs at least one loop");
        }
        loops = new EventLoop[size];
        for (int i = 0; i < size; i++) {
            loops[i] = new EventLoop(namePrefix + "-" + i, zlib);
        }
    }

    /** The group used unless an application asks for another. */
    public static EventLoopGroup shared() {
        return SHARED;
    }

    /** The loop for the next connection. */
    public EventLoop next() {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** The deflaters and inflaters of this group's connections (for leak tests and monitoring). */
    public ZlibPool zlib() {
        return zlib;
    }

    public int size() {
        return loops.length;
    }
}
