package dev.duplex.bench.micro;

import dev.duplex.internal.protocol.Utf8Validator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Throughput of the incremental UTF-8 validator ({@link Utf8Validator#feed(byte[], int, int)})
 * that checks every text message as it arrives: on pure ASCII (the eight-bytes-at-a-time fast
 * path) and on text mixing 1-, 2-, 3- and 4-byte sequences (the per-byte state machine).
 *
 * <p>One JMH operation per byte ({@link OperationsPerInvocation}), reported in ops/ns: <b>the
 * score is bytes per nanosecond, which is GB/s</b>. The {@code jdkString*} methods are a point
 * of reference, not part of Duplex: {@code new String(bytes, UTF_8)}, which the connection calls
 * anyway to deliver a text message, and which decodes as well as scans (and allocates the
 * String).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Utf8ValidationBenchmark {
    private static final int KIB = 1024;

    private final byte[] ascii1KiB = Payloads.ascii(KIB, 9);
    private final byte[] ascii64KiB = Payloads.ascii(64 * KIB, 10);
    private final byte[] mixed1KiB = Payloads.mixedUtf8(KIB, 11);
    private final byte[] mixed64KiB = Payloads.mixedUtf8(64 * KIB, 12);
    private final Utf8Validator validator = new Utf8Validator();

    @Benchmark
    @OperationsPerInvocation(KIB)
    public boolean ascii1KiB() {
        return validate(ascii1KiB);
    }

    @Benchmark
    @OperationsPerInvocation(64 * KIB)
    public boolean ascii64KiB() {
        return validate(ascii64KiB);
    }

    @Benchmark
    @OperationsPerInvocation(KIB)
    public boolean mixed1KiB() {
        return validate(mixed1KiB);
    }

    @Benchmark
    @OperationsPerInvocation(64 * KIB)
    public boolean mixed64KiB() {
        return validate(mixed64KiB);
    }

    @Benchmark
    @OperationsPerInvocation(64 * KIB)
    public String jdkStringAscii64KiB() {
        return new String(ascii64KiB, StandardCharsets.UTF_8);
    }

    @Benchmark
    @OperationsPerInvocation(64 * KIB)
    public String jdkStringMixed64KiB() {
        return new String(mixed64KiB, StandardCharsets.UTF_8);
    }

    // As the connection does for each text message: reset, feed, check it ends on a boundary.
    private boolean validate(byte[] text) {
        validator.reset();
        return validator.feed(text, 0, text.length) && validator.isComplete();
    }
}
