package dev.duplex.internal.transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/** What a {@link TcpChannel} tells the layer above it. Every call comes on the channel's loop. */
public interface ChannelHandler {
    /** The TCP connection is established (client channels; server channels start connected). */
    void onConnected(TcpChannel channel);

    /** Bytes arrived. Consume all of them: the buffer is reused after the call returns. */
    void onData(TcpChannel channel, ByteBuffer data);

    /** The peer closed its side of the connection (end of stream). */
    void onEndOfStream(TcpChannel channel);

    /** Queued bytes reached the kernel; {@code credit} is the sum of the credits written. */
    void onWritten(TcpChannel channel, long credit);

    /**
     * The channel is closed and will report nothing more. {@code cause} is null when it was
     * closed on purpose, else the error that broke it (connect refused, reset, timeout...).
     */
    void onClosed(TcpChannel channel, IOException cause);
}
