package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.Wire.hex;
import static dev.duplex.internal.protocol.Wire.keyBytes;
import static dev.duplex.internal.protocol.Wire.naiveMask;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Masking} against the byte-by-byte definition of RFC 6455 §5.3. */
class MaskingTest {
    private static final int KEY = 0x37fa213d;

    @Test
    void rfcExampleMasksHello() {
        byte[] a = Wire.utf8("Hello");
        assertThat(Masking.mask(a, 0, a.length, KEY, 0)).isEqualTo(1);
        assertThat(a).isEqualTo(hex("7f9f4d5158"));
        Masking.mask(a, 0, a.length, KEY, 0);
        assertThat(a).isEqualTo(Wire.utf8("Hello"));
    }

    @Test
    void zeroKeyIsIdentity() {
        byte[] a = Wire.filled(37, 5);
        Masking.mask(a, 0, a.length, 0, 3);
        assertThat(a).isEqualTo(Wire.filled(37, 5));
    }

    @Test
    void byteArrayInPlaceMatchesReference() {
        Random r = new Random(1);
        for (int len = 0; len <= 100; len++) {
            for (int phase = 0; phase < 4; phase++) {
                int key = r.nextInt();
                int off = r.nextInt(9);
                byte[] data = random(r, len);
                byte[] a = random(r, off + len + 7);
                byte[] before = a.clone();
                System.arraycopy(data, 0, a, off, len);
                int next = Masking.mask(a, off, len, key, phase);
                String at = "len " + len + " phase " + phase + " off " + off;
                assertThat(next).as(at).isEqualTo((phase + len) & 3);
                assertThat(Arrays.copyOfRange(a, off, off + len)).as(at)
                        .isEqualTo(naiveMask(data, keyBytes(key), phase));
                assertThat(Arrays.copyOfRange(a, 0, off)).as(at).isEqualTo(Arrays.copyOfRange(before, 0, off));
                assertThat(Arrays.copyOfRange(a, off + len, a.length)).as(at)
                        .isEqualTo(Arrays.copyOfRange(before, off + len, a.length));
            }
        }
    }

    @Test
    void maskCopyMatchesReferenceAndLeavesSourceAlone() {
        Random r = new Random(2);
        for (int len = 0; len <= 100; len++) {
            for (int phase = 0; phase < 4; phase++) {
                int key = r.nextInt();
                int srcOff = r.nextInt(9);
                int dstOff = r.nextInt(9);
                byte[] src = random(r, srcOff + len + 3);
                byte[] srcBefore = src.clone();
                byte[] dst = random(r, dstOff + len + 5);
                byte[] dstBefore = dst.clone();
                int next = Masking.maskCopy(src, srcOff, dst, dstOff, len, key, phase);
                String at = "len " + len + " phase " + phase;
                assertThat(next).as(at).isEqualTo((phase + len) & 3);
                assertThat(src).as(at).isEqualTo(srcBefore);
                assertThat(Arrays.copyOfRange(dst, dstOff, dstOff + len)).as(at)
                        .isEqualTo(naiveMask(Arrays.copyOfRange(src, srcOff, srcOff + len), keyBytes(key), phase));
                assertThat(Arrays.copyOfRange(dst, 0, dstOff)).as(at).isEqualTo(Arrays.copyOfRange(dstBefore, 0, dstOff));
                assertThat(Arrays.copyOfRange(dst, dstOff + len, dst.length)).as(at)
                        .isEqualTo(Arrays.copyOfRange(dstBefore, dstOff + len, dst.length));
            }
        }
    }

    @Test
    void heapByteBufferMatchesReference() {
        checkByteBuffer(false, new Random(3));
    }

    @Test
    void directByteBufferMatchesReference() {
        checkByteBuffer(true, new Random(4));
    }

    private static void checkByteBuffer(boolean direct, Random r) {
        for (int len = 0; len <= 100; len++) {
            for (int phase = 0; phase < 4; phase++) {
                int key = r.nextInt();
                int pos = r.nextInt(9);
                int extra = r.nextInt(6);
                byte[] all = random(r, pos + len + extra);
                ByteBuffer buf = direct ? ByteBuffer.allocateDirect(all.length) : ByteBuffer.allocate(all.length);
                buf.put(all).clear();
                buf.position(pos).limit(pos + len);
                // A slice too, so a non-zero arrayOffset is exercised for heap buffers.
                if (r.nextBoolean()) {
                    buf = buf.slice();
                    pos = 0;
                }
                buf.order(ByteOrder.LITTLE_ENDIAN);
                int next = Masking.mask(buf, key, phase);
                String at = (direct ? "direct" : "heap") + " len " + len + " phase " + phase;
                assertThat(next).as(at).isEqualTo((phase + len) & 3);
                assertThat(buf.position()).as(at).isEqualTo(pos);
                assertThat(buf.remaining()).as(at).isEqualTo(len);
                assertThat(buf.order()).as(at).isEqualTo(ByteOrder.LITTLE_ENDIAN);
                byte[] got = Wire.bytes(buf);
                int start = all.length - extra - len;
                assertThat(got).as(at).isEqualTo(naiveMask(Arrays.copyOfRange(all, start, start + len), keyBytes(key), phase));
            }
        }
    }

    @Test
    void directBufferOutsideWindowUntouched() {
        byte[] all = Wire.filled(40, 9);
        ByteBuffer buf = ByteBuffer.allocateDirect(40);
        buf.put(all).clear().position(3).limit(30);
        Masking.mask(buf, KEY, 2);
        buf.clear();
        byte[] got = Wire.bytes(buf);
        assertThat(Arrays.copyOfRange(got, 0, 3)).isEqualTo(Arrays.copyOfRange(all, 0, 3));
        assertThat(Arrays.copyOfRange(got, 30, 40)).isEqualTo(Arrays.copyOfRange(all, 30, 40));
        assertThat(Arrays.copyOfRange(got, 3, 30))
                .isEqualTo(naiveMask(Arrays.copyOfRange(all, 3, 30), keyBytes(KEY), 2));
    }

    @Test
    void maskingInPiecesEqualsMaskingAtOnce() {
        Random r = new Random(5);
        for (int round = 0; round < 2000; round++) {
            int len = r.nextInt(101);
            int key = r.nextInt();
            int startPhase = r.nextInt(4);
            byte[] data = random(r, len);
            byte[] expected = naiveMask(data, keyBytes(key), startPhase);

            byte[] inPlace = data.clone();
            byte[] copied = new byte[len];
            ByteBuffer heap = ByteBuffer.wrap(data.clone());
            ByteBuffer direct = ByteBuffer.allocateDirect(len).put(data);
            int p1 = startPhase;
            int p2 = startPhase;
            int p3 = startPhase;
            int p4 = startPhase;
            int at = 0;
            while (at < len) {
                int n = 1 + r.nextInt(Math.min(len - at, 13));
                p1 = Masking.mask(inPlace, at, n, key, p1);
                p2 = Masking.maskCopy(data, at, copied, at, n, key, p2);
                heap.limit(at + n).position(at);
                p3 = Masking.mask(heap, key, p3);
                direct.limit(at + n).position(at);
                p4 = Masking.mask(direct, key, p4);
                at += n;
            }
            String seed = "round " + round;
            assertThat(inPlace).as(seed).isEqualTo(expected);
            assertThat(copied).as(seed).isEqualTo(expected);
            assertThat(Wire.bytes(heap.clear())).as(seed).isEqualTo(expected);
            assertThat(Wire.bytes(direct.clear())).as(seed).isEqualTo(expected);
            int endPhase = (startPhase + len) & 3;
            assertThat(new int[] {p1, p2, p3, p4}).as(seed).containsOnly(endPhase);
        }
    }

    private static byte[] random(Random r, int n) {
        byte[] a = new byte[n];
        r.nextBytes(a);
        return a;
    }
}
