package dev.duplex.internal.session;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts something per remote IP address (open connections, pending handshakes) against a
 * per-address limit, so that one host cannot take every slot of a server. Loopback addresses
 * are exempt unless told otherwise: behind a reverse proxy on the same machine every client is
 * loopback. An address's entry is removed when its count returns to zero. Any thread.
 */
public final class AddressCounter {
    private final int limit;
    private final boolean countLoopback;
    private final ConcurrentHashMap<InetAddress, Integer> counts = new ConcurrentHashMap<>();

    public AddressCounter(int limit, boolean countLoopback) {
        this.limit = limit;
        this.countLoopback = countLoopback;
    }

    /** Counts one more for {@code address}; false (counting nothing) if it already has {@code limit}. */
    public boolean acquire(InetAddress address) {
        if (exempt(address)) {
            return true;
        }
        boolean[] counted = {false};
        counts.compute(address, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= limit) {
                return n;
            }
            counted[0] = true;
            return now + 1;
        });
        return counted[0];
    }

    /** Undoes one successful {@link #acquire} for {@code address}. */
    public void release(InetAddress address) {
        if (!exempt(address)) {
            counts.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** How many are counted for {@code address} now. */
    public int count(InetAddress address) {
        return counts.getOrDefault(address, 0);
    }

    private boolean exempt(InetAddress address) {
        return address == null || (!countLoopback && address.isLoopbackAddress());
    }
}
