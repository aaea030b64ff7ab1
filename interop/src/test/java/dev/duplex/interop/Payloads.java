package dev.duplex.interop;

import dev.duplex.Blob;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Test messages and their hashes. */
final class Payloads {
    private static final String[] ALPHABET = {"a", "b", "c", " ", "e", "é", "ß", "€", "中", "😀", "𝄞"};

    private Payloads() {
    }

    /** Text of exactly {@code size} UTF-8 bytes mixing 1- to 4-byte characters. */
    static String text(int size) {
        Random random = new Random(size);
        StringBuilder b = new StringBuilder(size);
        int n = 0;
        while (n < size) {
            String c = ALPHABET[random.nextInt(ALPHABET.length)];
            int len = c.getBytes(StandardCharsets.UTF_8).length;
            if (n + len > size) {
                c = "x";
                len = 1;
            }
            b.append(c);
            n += len;
        }
        return b.toString();
    }

    /** {@code size} bytes: runs of a pattern broken by random runs (so deflate has work on both). */
    static byte[] binary(int size) {
        Random random = new Random(size);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = (i & 0x200) == 0 ? (byte) i : (byte) random.nextInt();
        }
        return out;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The bytes of a received message's data: a String (UTF-8), a Blob or a ByteBuffer. */
    static byte[] bytes(Object data) {
        if (data instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        if (data instanceof Blob blob) {
            return blob.bytes();
        }
        if (data instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] out = new byte[copy.remaining()];
            copy.get(out);
            return out;
        }
        throw new AssertionError("unexpected message data type " + (data == null ? null : data.getClass()));
    }

    static String kind(Object data) {
        return data instanceof String ? "text" : "binary";
    }
}
