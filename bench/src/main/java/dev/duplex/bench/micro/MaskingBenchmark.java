package dev.duplex.bench.micro;

import dev.duplex.internal.protocol.Masking;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Throughput of the RFC 6455 §5.3 XOR masking ({@link Masking#mask(byte[], int, int, int, int)}),
 * in place on a heap array as the decoder and {@code Connection.sendMessage} use it.
 *
 * <p>Each method declares one JMH operation per byte ({@link OperationsPerInvocation}) and
 * reports in ops/ns, so <b>the score is bytes per nanosecond, which is GB/s</b> (10^9 bytes/s).
 * Sizes: 1 KiB and 64 KiB stay in the L1/L2 cache, 1 MiB shows the memory-bound rate. The
 * unaligned case starts one byte into the array at key phase 3, as when a frame's payload
 * continues in a later read. {@code maskCopy64KiB} is {@link Masking#maskCopy}: unmasking while
 * copying a 64 KiB read into a message buffer, as the receiving {@code Connection} does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MaskingBenchmark {
    private static final int KIB = 1024;
    private static final int KEY = 0x9A_3C_51_E7;

    private final byte[] small = Payloads.binary(KIB, 5);
    private final byte[] medium = Payloads.binary(64 * KIB, 6);
    private final byte[] large = Payloads.binary(1024 * KIB, 7);
    private final byte[] mediumPlusOne = Payloads.binary(64 * KIB + 1, 8);
    private final byte[] messageBuffer = new byte[64 * KIB + 14];

    @Benchmark
    @OperationsPerInvocation(KIB)
    public int mask1KiB() {
        return Masking.mask(small, 0, small.length, KEY, 0);
    }

    @Benchmark
    @OperationsPerInvocation(64 * KIB)
    public int mask64KiB() {
        return Masking.mask(medium, 0, medium.length, KEY, 0);
    }

    @Benchmark
    @OperationsPerInvocation(1024 * KIB)
    public int mask1MiB() {
        return Masking.mask(large, 0, large.length, KEY, 0);
    }

    @Benchmark
    @OperationsPerInvocation(64 * KIB)
    public int mask64KiBUnaligned() {
        return Masking.mask(mediumPlusOne, 1, 64 * KIB, KEY, 3);
    }

    @Benchmark
    @OperationsPerInvocation(64 * KIB)
    public int maskCopy64KiB() {
        return Masking.maskCopy(medium, 0, messageBuffer, 14, 64 * KIB, KEY, 0);
    }
}
