package dev.duplex.internal.session;

import dev.duplex.ServerOptions;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The counts and budgets that all connections of one server draw from: connections open and in
 * their handshake (in all and per remote address), connections keeping a compression context,
 * the heap of unfinished messages and the disk of spilled ones. Any thread.
 */
public final class ServerLimits {
    private final ServerOptions options;
    private final AtomicInteger pendingHandshakes = new AtomicInteger();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger compressionContexts = new AtomicInteger();
    private final AddressCounter pendingPerAddress;
    private final AddressCounter openPerAddress;
    private final SharedBudget unfinishedMessages;
    private final SharedBudget temporaryFiles;

    public ServerLimits(ServerOptions options) {
        this.options = options;
        this.pendingPerAddress = new AddressCounter(options.maxPendingHandshakesPerAddress(),
                options.perAddressLimitsOnLoopback());
        this.openPerAddress = new AddressCounter(options.maxConnectionsPerAddress(), options.perAddressLimitsOnLoopback());
        this.unfinishedMessages = new SharedBudget(options.maxUnfinishedMessageBytes(), "maxUnfinishedMessageBytes");
        this.temporaryFiles = new SharedBudget(options.maxTemporaryFileBytes(), "maxTemporaryFileBytes");
    }

    /** Counts a new connection in its opening handshake; false if over the limit (not counted). */
    public boolean handshakeStarted() {
        return reserve(pendingHandshakes, options.maxPendingHandshakes());
    }

    public void handshakeEnded() {
        pendingHandshakes.decrementAndGet();
    }

    /** Counts a connection about to open; false if over the limit (not counted). */
    public boolean connectionOpened() {
        return reserve(openConnections, options.maxConnections());
    }

    public void connectionClosed() {
        openConnections.decrementAndGet();
    }

    /** Counts a connection in its handshake from {@code address}; false if that address has its limit. */
    public boolean addressHandshakeStarted(InetAddress address) {
        return pendingPerAddress.acquire(address);
    }

    public void addressHandshakeEnded(InetAddress address) {
        pendingPerAddress.release(address);
    }

    /** Counts an open connection from {@code address}; false if that address has its limit. */
    public boolean addressConnectionOpened(InetAddress address) {
        return openPerAddress.acquire(address);
    }

    public void addressConnectionClosed(InetAddress address) {
        openPerAddress.release(address);
    }

    /** Counts a connection that keeps a compression context; false if the server has its limit. */
    public boolean compressionContextTaken() {
        return reserve(compressionContexts, options.maxCompressionContexts());
    }

    public void compressionContextReleased() {
        compressionContexts.decrementAndGet();
    }

    /** The heap budget of unfinished incoming messages, shared by every connection. */
    public SharedBudget unfinishedMessages() {
        return unfinishedMessages;
    }

    /** The disk budget of spilled messages, shared by every connection. */
    public SharedBudget temporaryFiles() {
        return temporaryFiles;
    }

    private static boolean reserve(AtomicInteger counter, int limit) {
        if (counter.incrementAndGet() > limit) {
            counter.decrementAndGet();
            return false;
        }
        return true;
    }

}
