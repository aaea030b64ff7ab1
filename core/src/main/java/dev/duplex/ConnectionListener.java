package dev.duplex;

/**
 * The {@code connection} event handler of a {@link WebSocketServer}: an {@link EventListener}
 * that receives the event already typed, so {@code server.onconnection(event -> event.socket())}
 * needs no cast.
 */
@FunctionalInterface
public interface ConnectionListener extends EventListener {
    /** Called once for each accepted connection, before any event of its socket. */
    void onConnection(ConnectionEvent event);

    @Override
    default void handleEvent(Event event) {
        onConnection((ConnectionEvent) event);
    }
}
