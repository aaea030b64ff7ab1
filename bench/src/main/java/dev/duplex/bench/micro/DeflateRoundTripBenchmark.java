package dev.duplex.bench.micro;

import dev.duplex.internal.protocol.CodecResources;
import dev.duplex.internal.protocol.Connection;
import dev.duplex.internal.protocol.FrameEncoder;
import dev.duplex.internal.protocol.MaskKeySource;
import dev.duplex.internal.protocol.PerMessageDeflate;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A permessage-deflate (RFC 7692) round trip of one JSON text message: a client
 * {@link Connection} compresses and masks it ({@code sendMessage}), the frame is copied into a
 * wire buffer as the transport would write it, and a server {@code Connection} unmasks,
 * inflates, validates and delivers it as a {@code String} ({@code receive}). One operation =
 * one message each way through the codec, default compression level (6).
 *
 * <p>The messages cycle through 16 different JSON documents, so that with context takeover
 * (the browsers' default) the compressor gains from the repeated structure but not from a
 * verbatim repeat of the previous message. {@code contextTakeover=false} negotiates
 * {@code server_no_context_takeover; client_no_context_takeover}: every message starts from an
 * empty window, and the sender ends its {@link Deflater} after each message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DeflateRoundTripBenchmark {
    private static final int DOCUMENTS = 16;

    @Param({"1024", "65536"})
    public int size;

    @Param({"true", "false"})
    public boolean contextTakeover;

    private final DiscardingListener received = new DiscardingListener();
    private Connection client;
    private Connection server;
    private ByteBuffer wire;
    private byte[][] documents;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        boolean noTakeover = !contextTakeover;
        PerMessageDeflate.Params params = new PerMessageDeflate.Params(noTakeover, noTakeover, 15, 15);
        long limit = 64L << 20;
        CodecResources resources = CodecResources.create();
        client = new Connection(Connection.Role.CLIENT, limit, limit, MaskKeySource.of(new SecureRandom()),
                new PerMessageDeflate(false, params, 128, Deflater.DEFAULT_COMPRESSION, resources),
                new DiscardingListener(), new Connection.Output() {
                    @Override
                    public void writeFrame(int firstByte, boolean masked, int maskKey, byte[] payload, long credit) {
                        FrameEncoder.writeHeader(wire, firstByte, payload.length, masked, maskKey);
                        wire.put(payload);
                    }

                    @Override
                    public void write(ByteBuffer header, ByteBuffer payload, long credit) {
                        throw new IllegalStateException("a connection only writes frames it made");
                    }
                });
        server = new Connection(Connection.Role.SERVER, limit, limit, null,
                new PerMessageDeflate(true, params, 128, Deflater.DEFAULT_COMPRESSION, resources),
                received, new SinkOutput(null));
        wire = ByteBuffer.allocate(2 * size + 64);
        documents = new byte[DOCUMENTS][];
        for (int i = 0; i < DOCUMENTS; i++) {
            documents[i] = Payloads.json(size, 100 + i);
        }
        checkRoundTrip();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.release();
        server.release();
    }

    // The transport's part: the frame's bytes go on the wire (here into one reused buffer).
    @Benchmark
    public Object roundTrip() {
        byte[] document = documents[next];
        next = (next + 1) % DOCUMENTS;
        wire.clear();
        client.sendMessage(true, document);   // compresses into a new array: the document is not changed
        wire.flip();
        server.receive(wire);
        return received.lastMessage;
    }

    // Fails the trial if a message went out uncompressed (it would be masked in place and
    // spoil the documents) or came back different; prints the compression achieved.
    private void checkRoundTrip() {
        long wireBytes = 0;
        long plainBytes = 0;
        for (int i = 0; i < 2 * DOCUMENTS; i++) {
            byte[] document = documents[next];
            String expected = new String(document, StandardCharsets.UTF_8);
            roundTrip();
            if ((wire.get(0) & 0x40) == 0) {
                throw new IllegalStateException("Message " + i + " was sent uncompressed");
            }
            if (!expected.equals(received.lastMessage)) {
                throw new IllegalStateException("Message " + i + " came back different");
            }
            wireBytes += wire.limit();
            plainBytes += document.length;
        }
        System.out.printf("%n[deflate] %d-byte JSON, context takeover %s: %.1f%% of the plain size on the wire%n",
                size, contextTakeover, 100.0 * wireBytes / plainBytes);
    }
}
