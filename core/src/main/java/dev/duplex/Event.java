package dev.duplex;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Something that happened to an {@link EventTarget}, such as a {@link WebSocket} opening: the
 * Java form of the DOM {@code Event} interface.
 *
 * <p>Duplex dispatches plain {@code Event}s of type {@code "open"}, and the subclasses
 * {@link MessageEvent} ({@code "message"}), {@link ErrorEvent} ({@code "error"}),
 * {@link CloseEvent} ({@code "close"}) and {@link ConnectionEvent} ({@code "connection"}).
 * Applications may create and {@linkplain EventTarget#dispatchEvent(Event) dispatch} their
 * own events too.
 *
 * <p>Events are not cancelable and do not bubble: an event reaches exactly the listeners of
 * its target. An event may be dispatched again once its current dispatch has finished.
 */
public class Event {
    private final String type;
    private final long timeStamp;
    private volatile EventTarget target;
    private final AtomicBoolean dispatching = new AtomicBoolean();

    /**
     * Creates an event that has not been dispatched yet.
     *
     * @param type the event type, e.g. {@code "open"}; matched exactly (case-sensitively)
     *             against the types listeners were registered for
     * @throws NullPointerException if {@code type} is null
     */
    public Event(String type) {
        this.type = Objects.requireNonNull(type, "event type must not be null");
        this.timeStamp = System.currentTimeMillis();
    }

    /**
     * Returns the event type, e.g. {@code "message"}.
     *
     * @return the type given to the constructor
     */
    public String type() {
        return type;
    }

    /**
     * Returns the object the event was last dispatched to.
     *
     * @return the target, or {@code null} if the event has never been dispatched
     */
    public EventTarget target() {
        return target;
    }

    /**
     * Returns the time at which the event was created.
     *
     * @return milliseconds since the Unix epoch (as by {@link System#currentTimeMillis()})
     */
    public long timeStamp() {
        return timeStamp;
    }

    /** Sets the target; called by {@link EventTarget#dispatchEvent(Event)}. */
    void target(EventTarget t) {
        this.target = t;
    }

    /** Marks the event as being dispatched; false if it already was. */
    boolean beginDispatch() {
        return dispatching.compareAndSet(false, true);
    }

    /** Clears the mark set by {@link #beginDispatch()}. */
    void endDispatch() {
        dispatching.set(false);
    }

    /**
     * Returns a description of the event for logs, naming its class and type.
     *
     * @return e.g. {@code Event[type=open]}
     */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "[type=" + type + "]";
    }
}
