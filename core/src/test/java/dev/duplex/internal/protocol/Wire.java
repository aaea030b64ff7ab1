package dev.duplex.internal.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Test-side wire helpers, written independently of {@link FrameEncoder} and {@link Masking} so
 * that a bug there cannot hide a bug in the decoder: hex, a naive frame builder, a naive masker
 * and a parser for the frames a {@link Connection} writes.
 */
final class Wire {
    private Wire() {}

    private static final HexFormat HEX = HexFormat.of();

    /** "81 05 48" or "810548" to bytes. */
    static byte[] hex(String s) {
        return HEX.parseHex(s.replaceAll("\\s+", ""));
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] a = new byte[d.remaining()];
        d.get(a);
        return a;
    }

    static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] filled(int n, int seed) {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
            a[i] = (byte) (i * 31 + seed);
        }
        return a;
    }

    /** Byte-by-byte XOR with the 4 key bytes, the RFC 6455 §5.3 definition. */
    static byte[] naiveMask(byte[] data, byte[] key4, int phase) {
        byte[] out = data.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] ^= key4[(phase + i) & 3];
        }
        return out;
    }

    static byte[] keyBytes(int key) {
        return new byte[] {(byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key};
    }

    /** A frame built by hand; {@code key} null means unmasked. The length uses the shortest form. */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, byte[] key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int maskBit = key != null ? 0x80 : 0;
        int n = payload.length;
        if (n <= 125) {
            out.write(maskBit | n);
        } else if (n <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) n >>> shift));
            }
        }
        if (key != null) {
            out.writeBytes(key);
            out.writeBytes(naiveMask(payload, key, 0));
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    static final byte[] KEY = hex("37fa213d");

    /** A final, unmasked frame (what a server sends). */
    static byte[] serverFrame(int opcode, byte[] payload) {
        return frame(true, 0, opcode, payload, null);
    }

    /** A final frame masked with {@link #KEY} (what a client sends). */
    static byte[] clientFrame(int opcode, byte[] payload) {
        return frame(true, 0, opcode, payload, KEY);
    }

    static byte[] closePayload(int code, String reason) {
        return concat(new byte[] {(byte) (code >>> 8), (byte) code}, utf8(reason));
    }

    /** One parsed frame, its payload unmasked. */
    record Parsed(boolean fin, int rsv, int opcode, boolean masked, byte[] key, int lengthBytes, byte[] payload) {
        String text() {
            return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length < 2 ? CloseCodes.NO_STATUS : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        /** A chopping-independent summary (the mask key is random, so it is left out). */
        String describe() {
            return (fin ? "F" : "-") + rsv + " " + Opcode.name(opcode) + (masked ? " masked " : " ") + hex(payload);
        }
    }

    /** Parses a concatenation of complete frames. {@code lengthBytes} is 0, 2 or 8 (extended length). */
    static List<Parsed> parse(byte[] wire) {
        List<Parsed> frames = new ArrayList<>();
        int p = 0;
        while (p < wire.length) {
            int b0 = wire[p++] & 0xFF;
            int b1 = wire[p++] & 0xFF;
            long len = b1 & 0x7F;
            int lengthBytes = 0;
            if (len == 126) {
                lengthBytes = 2;
            } else if (len == 127) {
                lengthBytes = 8;
            }
            if (lengthBytes > 0) {
                len = 0;
                for (int i = 0; i < lengthBytes; i++) {
                    len = (len << 8) | (wire[p++] & 0xFF);
                }
            }
            boolean masked = (b1 & 0x80) != 0;
            byte[] key = null;
            if (masked) {
                key = java.util.Arrays.copyOfRange(wire, p, p + 4);
                p += 4;
            }
            byte[] payload = java.util.Arrays.copyOfRange(wire, p, p + (int) len);
            p += (int) len;
            if (masked) {
                payload = naiveMask(payload, key, 0);
            }
            frames.add(new Parsed((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0xF, masked, key, lengthBytes, payload));
        }
        return frames;
    }
}
