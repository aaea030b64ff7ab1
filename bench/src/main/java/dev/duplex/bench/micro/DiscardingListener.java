package dev.duplex.bench.micro;

import dev.duplex.internal.protocol.Connection;
import dev.duplex.internal.protocol.ProtocolException;

/**
 * A {@link Connection.Listener} that keeps a reference to the last message delivered, so the
 * benchmark can return it (JMH then consumes it and the JIT cannot drop the work), and fails
 * loudly on anything a benchmark does not expect.
 */
final class DiscardingListener implements Connection.Listener {
    Object lastMessage;
    long messages;

    @Override
    public void onText(String text) {
        lastMessage = text;
        messages++;
    }

    @Override
    public void onBinary(byte[] data) {
        lastMessage = data;
        messages++;
    }

    @Override
    public void onCloseFrame(int code, String reason) {
        throw new IllegalStateException("Unexpected close frame " + code + " " + reason);
    }

    @Override
    public void onProtocolError(ProtocolException e) {
        throw new IllegalStateException("Benchmark input was rejected", e);
    }
}
