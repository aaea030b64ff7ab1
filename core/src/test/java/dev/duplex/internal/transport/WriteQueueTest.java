package dev.duplex.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteQueue} against a fake channel that takes a few bytes per call, as a full kernel
 * buffer does: the bytes on the wire, their order and the credit do not depend on how the
 * writes are cut.
 */
class WriteQueueTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Takes at most {@code perCall} bytes per write, as a socket with a small send buffer. */
    private static final class FakeChannel implements WritableByteChannel {
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        int perCall;
        int calls;

        FakeChannel(int perCall) {
            this.perCall = perCall;
        }

        @Override
        public int write(ByteBuffer src) {
            calls++;
            int n = Math.min(perCall, src.remaining());
            byte[] b = new byte[n];
            src.get(b);
            taken.writeBytes(b);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    // An unmasked text frame "Hello" (RFC 6455 section 5.7), a buffer write "abc"+"de", a masked
    // pong of "Hi" with key 37fa213d (masked already, as the protocol hands it over).
    private static WriteQueue threeWrites() {
        WriteQueue q = new WriteQueue();
        q.addFrame(0x81, false, 0, "Hello".getBytes(), 5);
        q.addBuffers(ByteBuffer.wrap("abc".getBytes()), ByteBuffer.wrap("de".getBytes()), 5);
        q.addFrame(0x8a, true, 0x37fa213d, HEX.parseHex("7f93"), 0);
        return q;
    }

    private static final String WIRE = "810548656c6c6f" + HEX.formatHex("abcde".getBytes()) + "8a8237fa213d7f93";

    @Test
    void aWholeWriteGivesTheFramesAndBuffersInOrderWithAllTheirCredit() {
        WriteQueue q = threeWrites();
        assertThat(q.queuedBytes()).isEqualTo(7 + 5 + 8);
        assertThat(q.automaticBytes()).as("the pong: no credit").isEqualTo(8);
        q.drainIncoming();
        FakeChannel ch = new FakeChannel(Integer.MAX_VALUE);
        long credit = write(q, ch, ByteBuffer.allocateDirect(1024));
        assertThat(HEX.formatHex(ch.taken.toByteArray())).isEqualTo(WIRE);
        assertThat(credit).isEqualTo(10);
        assertThat(q.queuedBytes()).isZero();
        assertThat(q.automaticBytes()).isZero();
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void everyCutOfTheKernelsWritesGivesTheSameBytesAndCredit() {
        for (int perCall = 1; perCall <= WIRE.length() / 2; perCall++) {
            WriteQueue q = threeWrites();
            q.drainIncoming();
            FakeChannel ch = new FakeChannel(perCall);
            long credit = 0;
            while (q.hasPending()) {
                credit += write(q, ch, ByteBuffer.allocateDirect(1024));
            }
            assertThat(HEX.formatHex(ch.taken.toByteArray())).as("%d bytes per write", perCall).isEqualTo(WIRE);
            assertThat(credit).as("%d bytes per write", perCall).isEqualTo(10);
            assertThat(q.queuedBytes()).isZero();
        }
    }

    @Test
    void everySizeOfTheWriteBufferGivesTheSameBytes() {
        // A buffer smaller than a frame's header makes the header go out in pieces.
        for (int size = 1; size <= 24; size++) {
            WriteQueue q = threeWrites();
            q.drainIncoming();
            FakeChannel ch = new FakeChannel(Integer.MAX_VALUE);
            long credit = 0;
            while (q.hasPending()) {
                credit += write(q, ch, ByteBuffer.allocateDirect(size));
            }
            assertThat(HEX.formatHex(ch.taken.toByteArray())).as("buffer of %d", size).isEqualTo(WIRE);
            assertThat(credit).isEqualTo(10);
        }
    }

    @Test
    void creditIsReportedOnlyWhenAWritesLastByteIsTaken() {
        WriteQueue q = new WriteQueue();
        q.addFrame(0x82, false, 0, new byte[10], 10);      // 12 bytes on the wire
        q.drainIncoming();
        FakeChannel ch = new FakeChannel(11);
        assertThat(write(q, ch, ByteBuffer.allocateDirect(64))).as("11 of 12 bytes").isZero();
        assertThat(q.queuedBytes()).isEqualTo(12);
        ch.perCall = 1;
        assertThat(write(q, ch, ByteBuffer.allocateDirect(64))).as("the last byte").isEqualTo(10);
        assertThat(q.queuedBytes()).isZero();
    }

    @Test
    void aChannelThatTakesNothingLeavesEverythingQueued() {
        WriteQueue q = threeWrites();
        q.drainIncoming();
        assertThat(write(q, new FakeChannel(0), ByteBuffer.allocateDirect(64))).isZero();
        assertThat(q.hasPending()).isTrue();
        assertThat(q.queuedBytes()).isEqualTo(20);
    }

    @Test
    void emptyWritesCompleteWithTheirCredit() {
        WriteQueue q = new WriteQueue();
        q.addBuffers(null, ByteBuffer.allocate(0), 3);
        q.drainIncoming();
        FakeChannel ch = new FakeChannel(Integer.MAX_VALUE);
        assertThat(write(q, ch, ByteBuffer.allocateDirect(64))).isEqualTo(3);
        assertThat(ch.calls).as("nothing to write: no write call").isZero();
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void writesAddedAfterADrainWaitForTheNextOne() {
        WriteQueue q = new WriteQueue();
        q.addBuffers(ByteBuffer.wrap(new byte[] {1}), null, 1);
        q.drainIncoming();
        q.addBuffers(ByteBuffer.wrap(new byte[] {2}), null, 1);
        FakeChannel ch = new FakeChannel(Integer.MAX_VALUE);
        assertThat(write(q, ch, ByteBuffer.allocateDirect(64))).isEqualTo(1);
        assertThat(q.isEmpty()).as("one still incoming").isFalse();
        q.drainIncoming();
        assertThat(write(q, ch, ByteBuffer.allocateDirect(64))).isEqualTo(1);
        assertThat(ch.taken.toByteArray()).containsExactly(1, 2);
    }

    @Test
    void theTlsPathGathersBuffersFromWhereWritingGotTo() {
        WriteQueue q = threeWrites();
        q.drainIncoming();
        // The plain path wrote 3 bytes of the first frame; then the channel turned to TLS.
        write(q, new FakeChannel(3), ByteBuffer.allocateDirect(64));
        ByteBuffer[] gather = new ByteBuffer[64];
        int n = q.gather(gather);
        ByteArrayOutputStream engine = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[gather[i].remaining()];
            gather[i].get(b);           // what SSLEngine.wrap consumes
            engine.writeBytes(b);
        }
        assertThat(HEX.formatHex(engine.toByteArray())).isEqualTo(WIRE.substring(6));
        assertThat(q.completeWrites()).isEqualTo(10);
        assertThat(q.queuedBytes()).isZero();
    }

    @Test
    void gatherTakesWholeWritesUpToTheArraysLength() {
        WriteQueue q = threeWrites();
        q.drainIncoming();
        ByteBuffer[] gather = new ByteBuffer[3];
        assertThat(q.gather(gather)).as("the first frame's header and payload; not half the next write").isEqualTo(2);
    }

    @Test
    void clearForgetsEverything() {
        WriteQueue q = threeWrites();
        q.drainIncoming();
        q.addBuffers(ByteBuffer.wrap(new byte[1]), null, 1);
        q.clear();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.hasPending()).isFalse();
    }

    private static long write(WriteQueue q, FakeChannel ch, ByteBuffer out) {
        try {
            return q.writeTo(ch, out);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
