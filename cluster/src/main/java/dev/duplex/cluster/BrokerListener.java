package dev.duplex.cluster;

/** Receives what a {@link Broker} delivers: messages on subscribed channels, and link changes. */
public interface BrokerListener {

    /** A message on {@code channel}, in the order the broker received them. */
    void message(String channel, byte[] message);

    /** The link to the engine is lost; the broker is reconnecting by itself. */
    void linkDown(Throwable cause);

    /** The link is back (every connection of the broker is up again and resubscribed). */
    void linkUp();
}
