package dev.duplex;

/**
 * A callback invoked when an {@link Event} is dispatched to the {@link EventTarget} it was
 * registered with: the Java form of the DOM {@code EventListener} interface.
 *
 * <p>Listeners are usually lambdas:
 * <pre>{@code
 * socket.addEventListener("message", event -> System.out.println(((MessageEvent) event).data()));
 * }</pre>
 *
 * <p>An exception thrown by a listener does not stop the dispatch: it is reported to the
 * thread's {@link Thread.UncaughtExceptionHandler} and the remaining listeners still run.
 */
@FunctionalInterface
public interface EventListener {
    /**
     * Handles an event.
     *
     * @param event the event being dispatched; its {@link Event#target()} is the target the
     *              listener was registered with
     */
    void handleEvent(Event event);
}
