package dev.duplex.bench.peers.client;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends the messages of one stream connection as fast as the library's flow control allows.
 *
 * {@link #pump()} may be called from any thread and at any time: when the connection opens, when
 * an echo arrives, when a write completes. Only one caller sends at a time; a call that arrives
 * while another thread (or the same thread, re-entered from a write callback that completed
 * synchronously) is sending only asks that sender to look again, so completion callbacks never
 * recurse a million levels deep and never block.
 */
abstract class SendPump {
    private final AtomicInteger requests = new AtomicInteger();
    private final int total;
    private int sent;   // touched only by the thread that holds the pump

    SendPump(int total) {
        this.total = total;
    }

    /**
     * Sends message number {@code index} if the library's flow control allows it now; returns
     * false when it must wait (the call that un-blocks it then calls {@link #pump()} again).
     */
    abstract boolean trySend(int index);

    final void pump() {
        if (requests.getAndIncrement() != 0) {
            return;     // the current sender will loop once more
        }
        int missed = 1;
        do {
            while (sent < total && trySend(sent)) {
                sent++;
            }
            missed = requests.addAndGet(-missed);
        } while (missed != 0);
    }
}
