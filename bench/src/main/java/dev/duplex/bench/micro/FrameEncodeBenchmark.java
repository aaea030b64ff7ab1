package dev.duplex.bench.micro;

import dev.duplex.internal.protocol.CodecResources;
import dev.duplex.internal.protocol.Connection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encoding one binary message as one frame through {@link Connection#sendMessage}, the path
 * {@code WebSocket.send} takes: the frame header, a fresh mask key and masking in place for a
 * client, and the hand-off to the transport's {@link Connection.Output} (here a sink that
 * writes the header into a reused buffer, as the transport does, and consumes the payload). One operation = one message of {@code size} payload bytes.
 *
 * <p>The payload array is the caller's and is handed over, so it is not counted as an
 * allocation of the encoder; {@code gc.alloc.rate.norm} is what framing costs per message.
 * The client masks the same array again on every operation, which is fine for binary data.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameEncodeBenchmark {
    @Param({"32", "1024", "65536", "1048576"})
    public int size;

    private Connection server;
    private Connection client;
    private byte[] payload;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        long limit = 64L << 20;
        DiscardingListener listener = new DiscardingListener();
        Connection.Output sink = new SinkOutput(bh);
        server = new Connection(Connection.Role.SERVER, limit, limit, null, listener, sink);
        client = new Connection(Connection.Role.CLIENT, limit, limit, CodecResources.create().maskKeys(), listener, sink);  // Duplex's mask keystream
        payload = Payloads.binary(size, 4);
    }

    /** A server's frame: header only, no mask. */
    @Benchmark
    public boolean serverUnmasked() {
        return server.sendMessage(false, payload);
    }

    /** A client's frame: header, a mask key from the shared AES-CTR keystream, masking in place. */
    @Benchmark
    public boolean clientMasked() {
        return client.sendMessage(false, payload);
    }
}
