package dev.duplex.bench.soak;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * The soak's messages. Each one carries the id of the connection that sent it, its sequence
 * number on that connection, its payload length and the CRC-32 of its payload, so that the
 * client can tell, for every echo, whether it is the next one expected (nothing lost, nothing
 * reordered, nothing duplicated, nothing delivered to the wrong connection) and intact. The
 * server checks the same fields before echoing, which tells which direction corrupted a message.
 *
 * <p>Text: {@code SOAK <conn> <seq> <utf8-length> <crc32-hex>|<payload>}; the payload mixes
 * ASCII with 2-, 3- and 4-byte UTF-8 characters, and repeats words so that permessage-deflate
 * really compresses it. Binary: the 4 bytes {@code SOAK}, then conn (8 bytes), seq (4),
 * length (4), CRC-32 (4), then the payload: random bytes (which deflate cannot shrink, so they
 * go out uncompressed) or patterned bytes (which it can).
 */
final class SoakMessage {
    static final int MAGIC = 0x534F414B;        // "SOAK"
    static final int BINARY_HEADER = 24;
    private static final String TEXT_PREFIX = "SOAK ";

    /** Payload pools; messages are slices of them at random offsets (cheap, yet all different). */
    private static final int POOL = 1 << 19;
    private static final String TEXT_POOL = textPool();
    private static final byte[] BINARY_POOL = binaryPool();

    private SoakMessage() {}

    /** The outcome of checking a received message. {@code valid} false: corrupt or unparsable. */
    record Parsed(boolean valid, boolean text, long conn, int seq, int length, int crc) {
        static final Parsed CORRUPT = new Parsed(false, false, -1, -1, -1, 0);
    }

    /**
     * A payload size: mostly small messages (as chat-like traffic is), some of a few KiB, a few
     * tens of KiB, and one in a hundred up to 128 KiB (several frames' worth of TCP segments).
     */
    static int size(SplittableRandom r) {
        double p = r.nextDouble();
        if (p < 0.60) {
            return r.nextInt(128);                 // below the 128-byte compression threshold
        } else if (p < 0.90) {
            return 128 + r.nextInt(2048 - 128);
        } else if (p < 0.99) {
            return 4096 + r.nextInt(32768 - 4096);
        }
        return 32768 + r.nextInt(131072 - 32768);
    }

    /** A text message of about {@code chars} UTF-16 units (never a split surrogate pair). */
    static String text(long conn, int seq, int chars, SplittableRandom r) {
        int from = r.nextInt(TEXT_POOL.length() - chars - 2);
        if (Character.isLowSurrogate(TEXT_POOL.charAt(from))) {
            from++;
        }
        int to = from + chars;
        if (to > from && Character.isHighSurrogate(TEXT_POOL.charAt(to - 1))) {
            to++;
        }
        String payload = TEXT_POOL.substring(from, to);
        byte[] utf8 = payload.getBytes(StandardCharsets.UTF_8);
        return TEXT_PREFIX + conn + ' ' + seq + ' ' + utf8.length + ' ' + Integer.toHexString(crc(utf8, 0, utf8.length))
                + '|' + payload;
    }

    /** A binary message with {@code length} payload bytes. */
    static byte[] binary(long conn, int seq, int length, SplittableRandom r) {
        int from = r.nextInt(BINARY_POOL.length - length);
        ByteBuffer b = ByteBuffer.allocate(BINARY_HEADER + length);
        b.putInt(MAGIC).putLong(conn).putInt(seq).putInt(length).putInt(crc(BINARY_POOL, from, length));
        b.put(BINARY_POOL, from, length);
        return b.array();
    }

    static Parsed check(String m) {
        try {
            int bar = m.indexOf('|');
            if (!m.startsWith(TEXT_PREFIX) || bar < 0) {
                return Parsed.CORRUPT;
            }
            String[] f = m.substring(TEXT_PREFIX.length(), bar).split(" ");
            if (f.length != 4) {
                return Parsed.CORRUPT;
            }
            long conn = Long.parseLong(f[0]);
            int seq = Integer.parseInt(f[1]);
            int length = Integer.parseInt(f[2]);
            int crc = Integer.parseUnsignedInt(f[3], 16);
            byte[] utf8 = m.substring(bar + 1).getBytes(StandardCharsets.UTF_8);
            boolean ok = utf8.length == length && crc(utf8, 0, utf8.length) == crc;
            return ok ? new Parsed(true, true, conn, seq, length, crc) : Parsed.CORRUPT;
        } catch (RuntimeException e) {
            return Parsed.CORRUPT;
        }
    }

    static Parsed check(ByteBuffer m) {
        ByteBuffer b = m.duplicate();
        if (b.remaining() < BINARY_HEADER || b.getInt() != MAGIC) {
            return Parsed.CORRUPT;
        }
        long conn = b.getLong();
        int seq = b.getInt();
        int length = b.getInt();
        int crc = b.getInt();
        if (length != b.remaining()) {
            return Parsed.CORRUPT;
        }
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue() == crc ? new Parsed(true, false, conn, seq, length, crc) : Parsed.CORRUPT;
    }

    static int crc(byte[] data, int from, int length) {
        CRC32 c = new CRC32();
        c.update(data, from, length);
        return (int) c.getValue();
    }

    // Words in several scripts, so the UTF-8 validator sees 1- to 4-byte sequences, including
    // characters outside the BMP (surrogate pairs in Java); repetition makes it compressible.
    private static String textPool() {
        String[] words = {"soak", "duplex", "frame", "mask", "close", "ping", "pong", "message",
                "échange", "größe", "Ωμέγα", "данные", "שלום", "مرحبا", "日本語", "中文字符", "한국어",
                "😀", "🚀🌍", "𝄞music", "naïve", "ﬁx", "0123456789", "{\"k\":[1,2,3]}"};
        Random r = new Random(6455);
        StringBuilder sb = new StringBuilder(POOL + 64);
        while (sb.length() < POOL) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(8) == 0 ? '\n' : ' ');
        }
        return sb.toString();
    }

    // First half random (incompressible), second half short runs with noise (compressible).
    private static byte[] binaryPool() {
        Random r = new Random(7692);
        byte[] pool = new byte[POOL];
        for (int i = 0; i < POOL / 2; i++) {
            pool[i] = (byte) r.nextInt(256);
        }
        for (int i = POOL / 2; i < POOL; i++) {
            pool[i] = r.nextInt(16) == 0 ? (byte) r.nextInt(256) : (byte) (i / 64);
        }
        return pool;
    }
}
