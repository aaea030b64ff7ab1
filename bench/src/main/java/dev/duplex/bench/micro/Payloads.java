package dev.duplex.bench.micro;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Deterministic payloads for the benchmarks: random binary, printable ASCII, mixed UTF-8 text
 * and JSON-like text. A fixed seed gives every run (and every JDK) the same bytes.
 */
final class Payloads {
    private Payloads() {}

    /** {@code size} pseudo-random bytes. */
    static byte[] binary(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** {@code size} bytes of printable ASCII (0x20..0x7E), all below 0x80. */
    static byte[] ascii(int size, long seed) {
        Random random = new Random(seed);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (0x20 + random.nextInt(0x5F));
        }
        return b;
    }

    // One sample of each UTF-8 sequence length: 1 byte (ASCII), 2 (é, Greek), 3 (CJK, €), 4 (emoji).
    private static final String[] MIXED_PIECES = {
        "a", "Z", " ", "7", "é", "ß", "λ", "Ж", "€", "中", "語", "ア", "😀", "🚀", "𝄞",
    };

    /**
     * Exactly {@code size} bytes of valid UTF-8 mixing 1-, 2-, 3- and 4-byte sequences in equal
     * numbers of code points, so that the validator's slow (non-ASCII) path dominates; padded
     * with ASCII to the exact size.
     */
    static byte[] mixedUtf8(int size, long seed) {
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder(size);
        int bytes = 0;
        while (true) {
            String piece = MIXED_PIECES[random.nextInt(MIXED_PIECES.length)];
            int n = piece.getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > size) {
                break;
            }
            sb.append(piece);
            bytes += n;
        }
        sb.append(" ".repeat(size - bytes));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * About {@code size} bytes of JSON in the shape of a typical application message: an array
     * of small objects with ids, names, numbers, booleans and timestamps. The values vary with
     * {@code seed}, the keys repeat, so it compresses about as well as real traffic does.
     */
    static byte[] json(int size, long seed) {
        Random random = new Random(seed);
        String[] names = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
        String[] kinds = {"order.created", "order.paid", "order.shipped", "user.login", "price.tick"};
        StringBuilder sb = new StringBuilder(size + 256).append("{\"events\":[");
        int i = 0;
        while (sb.length() < size - 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"id\":").append(100000 + random.nextInt(900000))
              .append(",\"type\":\"").append(kinds[random.nextInt(kinds.length)])
              .append("\",\"user\":\"").append(names[random.nextInt(names.length)])
              .append("\",\"amount\":").append(random.nextInt(100000) / 100.0)
              .append(",\"active\":").append(random.nextBoolean())
              .append(",\"ts\":\"2025-06-").append(10 + random.nextInt(18)).append('T')
              .append(10 + random.nextInt(13)).append(':').append(10 + random.nextInt(49))
              .append(':').append(10 + random.nextInt(49)).append("Z\"}");
            i++;
        }
        sb.append("]}");
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        return b;
    }
}
