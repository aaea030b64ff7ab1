package dev.duplex.internal.session;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A number of bytes that all connections of a server draw from together (memory held by
 * unfinished messages, disk held by spilled ones), so that no set of peers can take more than
 * the limit between them. Any thread.
 */
public final class SharedBudget {
    private final long limit;
    private final String option;
    private final AtomicLong used = new AtomicLong();

    /** @param option the setting that sets {@code limit}, named in error messages */
    public SharedBudget(long limit, String option) {
        this.limit = limit;
        this.option = option;
    }

    /** Takes {@code bytes} from the budget; false (taking nothing) if that would pass the limit. */
    public boolean reserve(long bytes) {
        if (used.addAndGet(bytes) > limit) {
            used.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    /** Gives back {@code bytes} taken earlier. */
    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }

    /** Why a reservation of {@code bytes} failed, naming the option. */
    public String exhausted(long bytes) {
        return "the server's " + option + " (" + limit + " bytes, " + used.get() + " in use) has no room for "
                + bytes + " more bytes";
    }
}
