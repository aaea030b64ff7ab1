package dev.duplex.internal.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Records what a {@link Connection} writes: the raw bytes, each call's credit, and parsed frames. */
final class RecordingOutput implements Connection.Output {
    final ByteArrayOutputStream wire = new ByteArrayOutputStream();
    final List<Long> credits = new ArrayList<>();
    final List<byte[]> headers = new ArrayList<>();
    int nullPayloads;
    final List<byte[]> payloadArrays = new ArrayList<>();   // as handed over, to check for copies

    @Override
    public void writeFrame(int firstByte, boolean masked, int maskKey, byte[] payload, long credit) {
        payloadArrays.add(payload);
        write(FrameEncoder.header(firstByte, payload.length, masked, maskKey),
                payload.length == 0 ? null : ByteBuffer.wrap(payload), credit);
    }

    @Override
    public void write(ByteBuffer header, ByteBuffer payload, long credit) {
        byte[] h = Wire.bytes(header);
        headers.add(h);
        wire.writeBytes(h);
        if (payload == null) {
            nullPayloads++;
        } else {
            wire.writeBytes(Wire.bytes(payload));
        }
        credits.add(credit);
    }

    byte[] bytes() {
        return wire.toByteArray();
    }

    List<Wire.Parsed> frames() {
        return Wire.parse(bytes());
    }

    /** Frames summarised without their (random) mask keys. */
    List<String> described() {
        List<String> out = new ArrayList<>();
        for (Wire.Parsed f : frames()) {
            out.add(f.describe());
        }
        return out;
    }

    int writes() {
        return credits.size();
    }
}
