package dev.duplex.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzz targets for the codecs under the frame layer.
 * <ul>
 * <li>{@link Utf8Validator} agrees with the JDK's strict UTF-8 decoder on every input, whether
 *     fed at once, byte by byte, or split at any point (incremental and fail-fast).</li>
 * <li>{@link PerMessageDeflate} inflating arbitrary bytes as one message only ever ends in
 *     success or a {@link ProtocolException} 1007 (corrupt) or 1009 (the size limit, checked as
 *     output is produced, so memory stays bounded: at most one 16 KiB chunk past the limit is
 *     ever made); whatever it inflates is what {@link java.util.zip.Inflater} gives for the same
 *     bytes; and compressing the input then inflating it gives the input back. Native objects
 *     are all ended by {@link PerMessageDeflate#release()}.</li>
 * </ul>
 * Corpus: {@code src/test/resources/dev/duplex/internal/protocol/CodecFuzzTestInputs/{utf8,inflate}}.
 */
class CodecFuzzTest {
    private final CodecResources resources = CodecResources.create();

    static final int LIMIT = 64 * 1024;

    @FuzzTest(maxDuration = "5m")
    void utf8(byte[] input) {
        boolean expected = jdkAccepts(input);
        assertThat(Utf8Validator.isValid(input)).as("whole").isEqualTo(expected);

        Utf8Validator v = new Utf8Validator();
        boolean ok = true;
        for (int i = 0; i < input.length && ok; i++) {
            ok = v.feed(input, i, 1);
        }
        assertThat(ok && v.isComplete()).as("byte by byte").isEqualTo(expected);
        if (!ok) {
            assertThat(v.isRejected()).isTrue();
        }

        int cut = input.length == 0 ? 0 : (input[0] & 0xFF) % (input.length + 1);
        Utf8Validator split = new Utf8Validator();
        boolean first = split.feed(ByteBuffer.wrap(input, 0, cut));
        boolean second = first && split.feed(ByteBuffer.allocateDirect(input.length - cut).put(input, cut, input.length - cut).flip());
        assertThat(second && split.isComplete()).as("split at " + cut).isEqualTo(expected);
        if (first && !jdkPrefixValid(input, cut)) {
            throw new AssertionError("a prefix that can never become valid was accepted, cut " + cut);
        }
    }

    static boolean jdkAccepts(byte[] input) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(input));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * Whether {@code input[0, cut)} is a prefix of some valid UTF-8 text (fail-fast: the validator
     * must reject as soon as no continuation can make it valid). Checked by completing a dangling
     * sequence with the smallest continuation bytes that could follow it.
     */
    static boolean jdkPrefixValid(byte[] input, int cut) {
        for (int tail = 0; tail <= 3 && tail <= cut; tail++) {
            // Drop up to 3 trailing bytes, then check the rest is valid and the dropped bytes can start a character.
            byte[] head = Arrays.copyOf(input, cut - tail);
            if (!jdkAccepts(head)) {
                continue;
            }
            if (tail == 0) {
                return true;
            }
            byte[] rest = Arrays.copyOfRange(input, cut - tail, cut);
            for (int lead = 0x80; lead <= 0xBF; lead++) {
                for (int fill = 0x80; fill <= 0xBF; fill += 0x3F) {
                    byte[] candidate = Arrays.copyOf(rest, 4);
                    for (int i = rest.length; i < 4; i++) {
                        candidate[i] = (byte) (i == rest.length ? lead : fill);
                    }
                    for (int len = rest.length + 1; len <= 4; len++) {
                        if (jdkAccepts(Arrays.copyOf(candidate, len))) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    @FuzzTest(maxDuration = "5m")
    void inflate(byte[] input) {
        int before = resources.zlib().liveObjects();
        // Arbitrary bytes as a compressed message, in pieces as frames would bring them.
        PerMessageDeflate codec = new PerMessageDeflate(true, new PerMessageDeflate.Params(false, false, 15, 15), 1, -1, resources);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int[] largestChunk = {0};
        PerMessageDeflate.Sink sink = chunk -> {
            largestChunk[0] = Math.max(largestChunk[0], chunk.remaining());
            if (got.size() + chunk.remaining() > LIMIT) {
                throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "too big");
            }
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            got.writeBytes(b);
        };
        Integer code = null;
        try {
            int step = input.length == 0 ? 1 : 1 + (input[0] & 0xFF);
            for (int pos = 0; pos < input.length; pos += step) {
                codec.inflate(ByteBuffer.wrap(input, pos, Math.min(step, input.length - pos)), sink);
            }
            codec.finishMessage(sink);
        } catch (ProtocolException e) {
            code = e.closeCode();
        } finally {
            codec.release();
        }
        assertThat(largestChunk[0]).as("inflated chunk size").isLessThanOrEqualTo(16 * 1024);
        assertThat(got.size()).as("inflated bytes kept").isLessThanOrEqualTo(LIMIT);
        if (code != null) {
            assertThat(code).as("close code").isIn(CloseCodes.INVALID_PAYLOAD, CloseCodes.MESSAGE_TOO_BIG);
        } else {
            // Success: the JDK's Inflater on the same bytes plus the RFC 7692 tail agrees.
            byte[] reference = referenceInflate(input);
            if (reference != null) {
                assertThat(got.toByteArray()).as("inflated vs java.util.zip").isEqualTo(reference);
            }
        }

        // Round trip: what Duplex compresses inflates to the input.
        PerMessageDeflate sender = new PerMessageDeflate(false, new PerMessageDeflate.Params(false, false, 15, 15), 1, -1, resources);
        PerMessageDeflate receiver = new PerMessageDeflate(true, new PerMessageDeflate.Params(false, false, 15, 15), 1, -1, resources);
        try {
            for (int round = 0; round < 2; round++) {   // twice: the second uses the shared window
                byte[] packed = sender.deflateMessage(input);
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                PerMessageDeflate.Sink collect = chunk -> {
                    byte[] b = new byte[chunk.remaining()];
                    chunk.get(b);
                    back.writeBytes(b);
                };
                receiver.inflate(ByteBuffer.wrap(packed), collect);
                receiver.finishMessage(collect);
                assertThat(back.toByteArray()).as("round " + round).isEqualTo(input);
            }
        } catch (ProtocolException e) {
            throw new AssertionError("Duplex cannot inflate what it compressed", e);
        } finally {
            sender.release();
            receiver.release();
        }
        assertThat(resources.zlib().liveObjects()).as("Inflater/Deflater left").isEqualTo(before);
    }

    /** The bytes java.util.zip inflates from {@code input} + 00 00 FF FF, or null if it fails or exceeds the limit. */
    static byte[] referenceInflate(byte[] input) {
        java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
        try {
            byte[] all = Arrays.copyOf(input, input.length + 4);
            all[input.length + 2] = (byte) 0xFF;
            all[input.length + 3] = (byte) 0xFF;
            inf.setInput(all);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            // Until a call produces nothing: zlib may have consumed all input (needsInput() is
            // then true) and still hold output (corpus entry output-pending-after-input-consumed).
            while (true) {
                int n = inf.inflate(buf);
                if (n == 0) {
                    break;
                }
                out.write(buf, 0, n);
                if (out.size() > LIMIT) {
                    return null;
                }
            }
            return out.toByteArray();
        } catch (java.util.zip.DataFormatException e) {
            return null;
        } finally {
            inf.end();
        }
    }
}
