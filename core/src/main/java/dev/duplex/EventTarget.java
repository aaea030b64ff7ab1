package dev.duplex;

import dev.duplex.internal.transport.Failures;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;

/**
 * An object that receives events and calls the listeners registered for them: the Java form
 * of the DOM {@code EventTarget} interface, and the base class of {@link WebSocket} and
 * {@link WebSocketServer}.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>Listeners are registered per event type (matched exactly, case-sensitively) and are
 *       called in the order in which they were registered.</li>
 *   <li>Adding a listener that is already registered for the same type does nothing, so it is
 *       still called once per event. Listeners are compared with {@link Object#equals}, which
 *       for lambdas means identity: keep a reference to a lambda to be able to remove it.</li>
 *   <li>{@link #dispatchEvent(Event)} calls the listeners synchronously, on the calling
 *       thread, over the list as it was when the dispatch started: a listener added during a
 *       dispatch is first called for the next event, and a listener removed during a
 *       dispatch, before its turn, is not called.</li>
 *   <li>An exception thrown by a listener does not reach the code that dispatched the event
 *       and does not stop the other listeners: it is reported to the current thread's
 *       {@link Thread.UncaughtExceptionHandler} (by default, that of its thread group, which
 *       hands it to the {@linkplain Thread#getDefaultUncaughtExceptionHandler() default
 *       handler} or prints it to {@code System.err}), as browsers report it to the console.
 *       A {@link VirtualMachineError}, such as {@link OutOfMemoryError}, is rethrown.</li>
 *   <li>Event handler attributes, such as {@link WebSocket#onmessage(EventListener)}, are
 *       listeners too: a handler takes its place among the listeners when it is first set,
 *       keeps that place when it is replaced by another handler, and loses it when it is set
 *       to {@code null} (setting a handler again later puts it last).</li>
 * </ul>
 *
 * <h2>Thread safety</h2>
 * Every method may be called from any thread, including from inside a listener.
 * Registration never blocks: the listener list is an immutable snapshot replaced atomically,
 * so registering or removing a listener never waits for a dispatch in progress and vice
 * versa.
 */
public class EventTarget {
    private static final Registration[] EMPTY = new Registration[0];

    /** The callback of a removed event handler; terminal. */
    private static final EventListener TOMBSTONE = event -> { };

    private static final VarHandle REGISTRATIONS;
    private static final VarHandle HANDLER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            REGISTRATIONS = lookup.findVarHandle(EventTarget.class, "registrations", Registration[].class);
            HANDLER = lookup.findVarHandle(Registration.class, "handler", EventListener.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** All listeners of all types, in registration order; never modified, only replaced. */
    private volatile Registration[] registrations = EMPTY;

    /**
     * One entry of the listener list. Either a plain listener ({@code listener} non-null) or
     * an event handler attribute ({@code listener} null, callback in {@code handler}).
     */
    private static final class Registration {
        final String type;
        final EventListener listener;
        volatile EventListener handler;
        volatile boolean removed;

        Registration(String type, EventListener listener, EventListener handler) {
            this.type = type;
            this.listener = listener;
            this.handler = handler;
        }

        boolean isHandler() {
            return listener == null;
        }
    }

    /** Creates a target with no listeners. */
    public EventTarget() {
    }

    /**
     * Registers a listener for events of a type. It is called after the listeners registered
     * before it. Adding a listener that is already registered for this type does nothing.
     *
     * @param type     the event type, e.g. {@code "message"}
     * @param listener the listener; {@code null} is ignored, as in the DOM
     * @throws NullPointerException if {@code type} is null
     */
    public void addEventListener(String type, EventListener listener) {
        Objects.requireNonNull(type, "event type must not be null");
        if (listener == null) {
            return;
        }
        Registration created = null;
        for (;;) {
            Registration[] current = registrations;
            if (indexOfListener(current, type, listener) >= 0) {
                return;
            }
            if (created == null) {
                created = new Registration(type, listener, null);
            }
            if (REGISTRATIONS.compareAndSet(this, current, append(current, created))) {
                listenerAdded();
                return;
            }
        }
    }

    /**
     * Called after a listener or an event handler was registered (not when a handler is
     * replaced): {@link WebSocket} starts its registration window here. Never called for a
     * listener that was already registered.
     */
    void listenerAdded() {
    }

    /**
     * Unregisters a listener. If a dispatch is in progress and has not reached the listener
     * yet, the listener is not called by it. Removing a listener that is not registered
     * does nothing. An event handler attribute is not affected: clear it by setting it to
     * {@code null}.
     *
     * @param type     the event type it was registered for
     * @param listener the listener to remove; {@code null} is ignored
     * @throws NullPointerException if {@code type} is null
     */
    public void removeEventListener(String type, EventListener listener) {
        Objects.requireNonNull(type, "event type must not be null");
        if (listener == null) {
            return;
        }
        for (;;) {
            Registration[] current = registrations;
            int index = indexOfListener(current, type, listener);
            if (index < 0) {
                return;
            }
            if (REGISTRATIONS.compareAndSet(this, current, remove(current, index))) {
                current[index].removed = true;
                return;
            }
        }
    }

    /**
     * Dispatches an event to this target: sets its {@link Event#target() target} and calls
     * the listeners registered for its {@link Event#type() type}, synchronously and in
     * registration order, over the list as it stood when the dispatch started. Listeners
     * removed before their turn are skipped; exceptions they throw are reported (see the
     * class description) and do not stop the dispatch.
     *
     * @param event the event to dispatch
     * @return {@code true}, since Duplex events cannot be canceled
     * @throws NullPointerException if {@code event} is null
     * @throws DOMException         {@code InvalidStateError} if the event is being dispatched
     *                              already (for instance by a listener re-dispatching it)
     */
    public boolean dispatchEvent(Event event) {
        Objects.requireNonNull(event, "event must not be null");
        if (!event.beginDispatch()) {
            throw DOMException.invalidState("The " + event.type()
                    + " event is already being dispatched; create a new event to dispatch it again");
        }
        try {
            event.target(this);
            String type = event.type();
            for (Registration r : registrations) {
                if (r.removed || !r.type.equals(type)) {
                    continue;
                }
                EventListener callback = r.isHandler() ? r.handler : r.listener;
                if (callback == TOMBSTONE) {
                    continue;
                }
                invoke(callback, event);
            }
        } finally {
            event.endDispatch();
        }
        return true;
    }

    /**
     * Sets an event handler attribute (the {@code onxxx} properties of the DOM). Setting a
     * handler when none is set registers it after the listeners already registered for the
     * type; setting another handler later replaces the callback but keeps its place; setting
     * {@code null} unregisters it, so that a handler set after that goes last.
     *
     * @param type    the event type, e.g. {@code "message"}
     * @param handler the callback, or {@code null} to clear it
     * @throws NullPointerException if {@code type} is null
     */
    protected final void setEventHandler(String type, EventListener handler) {
        Objects.requireNonNull(type, "event type must not be null");
        if (handler == null) {
            clearEventHandler(type);
            return;
        }
        Registration created = null;
        for (;;) {
            Registration[] current = registrations;
            Registration active = activeHandler(current, type);
            if (active != null) {
                EventListener old = active.handler;
                if (old != TOMBSTONE && HANDLER.compareAndSet(active, old, handler)) {
                    return;
                }
                continue; // cleared concurrently: look again
            }
            if (created == null) {
                created = new Registration(type, null, handler);
            }
            if (REGISTRATIONS.compareAndSet(this, current, append(current, created))) {
                listenerAdded();
                return;
            }
        }
    }

    /**
     * Returns the value of an event handler attribute.
     *
     * @param type the event type, e.g. {@code "message"}
     * @return the handler last set for the type, or {@code null} if none is set
     * @throws NullPointerException if {@code type} is null
     */
    protected final EventListener getEventHandler(String type) {
        Objects.requireNonNull(type, "event type must not be null");
        Registration active = activeHandler(registrations, type);
        if (active == null) {
            return null;
        }
        EventListener handler = active.handler;
        return handler == TOMBSTONE ? null : handler;
    }

    private void clearEventHandler(String type) {
        for (;;) {
            Registration active = activeHandler(registrations, type);
            if (active == null) {
                return;
            }
            EventListener old = active.handler;
            if (old != TOMBSTONE && HANDLER.compareAndSet(active, old, TOMBSTONE)) {
                active.removed = true;
                removeRegistration(active);
                return;
            }
        }
    }

    private void removeRegistration(Registration registration) {
        for (;;) {
            Registration[] current = registrations;
            int index = -1;
            for (int i = 0; i < current.length; i++) {
                if (current[i] == registration) {
                    index = i;
                    break;
                }
            }
            if (index < 0 || REGISTRATIONS.compareAndSet(this, current, remove(current, index))) {
                return;
            }
        }
    }

    private static Registration activeHandler(Registration[] list, String type) {
        for (Registration r : list) {
            if (r.isHandler() && r.type.equals(type) && r.handler != TOMBSTONE) {
                return r;
            }
        }
        return null;
    }

    private static int indexOfListener(Registration[] list, String type, EventListener listener) {
        for (int i = 0; i < list.length; i++) {
            Registration r = list[i];
            if (!r.isHandler() && r.type.equals(type) && (r.listener == listener || r.listener.equals(listener))) {
                return i;
            }
        }
        return -1;
    }

    private static Registration[] append(Registration[] list, Registration r) {
        Registration[] next = Arrays.copyOf(list, list.length + 1);
        next[list.length] = r;
        return next;
    }

    private static Registration[] remove(Registration[] list, int index) {
        if (list.length == 1) {
            return EMPTY;
        }
        Registration[] next = new Registration[list.length - 1];
        System.arraycopy(list, 0, next, 0, index);
        System.arraycopy(list, index + 1, next, index, list.length - index - 1);
        return next;
    }

    private static void invoke(EventListener listener, Event event) {
        try {
            listener.handleEvent(event);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            report(t);
        }
    }

    /** Reports an exception thrown by a listener, the way an uncaught exception would be. */
    private static void report(Throwable t) {
        Failures.report(t);
    }
}
