package dev.duplex.bench.micro;

import dev.duplex.internal.protocol.Connection;
import dev.duplex.internal.protocol.FrameEncoder;
import java.nio.ByteBuffer;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A {@link Connection.Output} that does what the transport does with a frame short of the
 * socket: it writes the header into a (reused) direct buffer and hands the payload to a
 * {@link Blackhole}, if there is one, so the JIT cannot drop the work.
 */
final class SinkOutput implements Connection.Output {
    private final ByteBuffer headers = ByteBuffer.allocateDirect(FrameEncoder.MAX_HEADER_SIZE);
    private final Blackhole blackhole;

    SinkOutput(Blackhole blackhole) {
        this.blackhole = blackhole;
    }

    @Override
    public void writeFrame(int firstByte, boolean masked, int maskKey, byte[] payload, long credit) {
        headers.clear();
        FrameEncoder.writeHeader(headers, firstByte, payload.length, masked, maskKey);
        if (blackhole != null) {
            blackhole.consume(headers.get(1));
            blackhole.consume(payload);
        }
    }

    @Override
    public void write(ByteBuffer header, ByteBuffer payload, long credit) {
        if (blackhole != null) {
            blackhole.consume(header);
            blackhole.consume(payload);
        }
    }
}
