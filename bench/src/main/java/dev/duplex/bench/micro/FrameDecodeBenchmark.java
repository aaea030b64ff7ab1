package dev.duplex.bench.micro;

import dev.duplex.internal.protocol.CodecResources;
import dev.duplex.internal.protocol.Connection;
import java.nio.ByteBuffer;
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

/**
 * Decoding one single-frame message through {@link Connection#receive}, the path every byte
 * read from a socket takes: header parsing and checks, unmasking in place, UTF-8 validation of
 * text, assembling the message and delivering it to the listener (as {@code byte[]} or
 * {@code String}). One operation = one message of {@code size} payload bytes.
 *
 * <p>The frame is fed in reads of at most {@code readSize} bytes (default 64 KiB, the size of
 * the transport's read buffer), through one reused heap {@link ByteBuffer}, as the event loop
 * does. The allocation per operation ({@code gc.alloc.rate.norm}) is what decoding costs beyond
 * the wire bytes: ideally exactly the delivered message ({@code size + 16} bytes for a
 * {@code byte[]}).
 *
 * <p>Unmasking happens in place, so after a masked frame has been decoded its payload bytes
 * hold the unmasked data; decoding them again unmasks them back (XOR is its own inverse), and
 * both versions are valid input: any bytes for binary, and for text an ASCII payload with a
 * mask key whose bytes are all below 0x80 stays ASCII either way. So the input never needs
 * to be copied back between operations.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameDecodeBenchmark {
    /** Every byte below 0x80, so masked ASCII stays ASCII (see the class comment). */
    private static final int MASK_KEY = 0x3A_15_6C_27;

    @Param({"32", "1024", "65536", "1048576"})
    public int size;

    @Param({"65536"})
    public int readSize;

    private final DiscardingListener listener = new DiscardingListener();
    private Connection server;     // decodes masked frames, as from a browser
    private Connection client;     // decodes unmasked frames, as from a server
    private ByteBuffer maskedBinary;
    private ByteBuffer maskedText;
    private ByteBuffer unmaskedBinary;

    @Setup(Level.Trial)
    public void setUp() {
        long limit = 64L << 20;
        server = new Connection(Connection.Role.SERVER, limit, limit, null, listener, new SinkOutput(null));
        client = new Connection(Connection.Role.CLIENT, limit, limit, CodecResources.create().maskKeys(), listener, new SinkOutput(null));
        maskedBinary = ByteBuffer.wrap(WireFrames.frame(WireFrames.BINARY, Payloads.binary(size, 1), true, MASK_KEY));
        maskedText = ByteBuffer.wrap(WireFrames.frame(WireFrames.TEXT, Payloads.ascii(size, 2), true, MASK_KEY));
        unmaskedBinary = ByteBuffer.wrap(WireFrames.frame(WireFrames.BINARY, Payloads.binary(size, 3), false, 0));
    }

    @Benchmark
    public Object serverMaskedBinary() {
        return feed(server, maskedBinary);
    }

    @Benchmark
    public Object serverMaskedText() {
        return feed(server, maskedText);
    }

    @Benchmark
    public Object clientUnmaskedBinary() {
        return feed(client, unmaskedBinary);
    }

    // Hands the whole frame to the connection, readSize bytes at a time, like successive reads.
    private Object feed(Connection connection, ByteBuffer wire) {
        int end = wire.capacity();
        for (int from = 0; from < end; from += readSize) {
            wire.limit(Math.min(end, from + readSize)).position(from);
            connection.receive(wire);
        }
        return listener.lastMessage;
    }
}
