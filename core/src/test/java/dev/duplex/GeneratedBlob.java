package dev.duplex;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A blob of any size whose bytes are computed from their position: lets a test send gigabytes
 * without holding or storing them. Byte {@code i} is byte {@code i % 8} of mix(seed + i / 8).
 */
final class GeneratedBlob extends Blob {
    private final long size;
    private final long seed;

    GeneratedBlob(long size, long seed) {
        super("");
        this.size = size;
        this.seed = seed;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    int read(long position, byte[] dst, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(len, size - position);
        for (int i = 0; i < n; i++) {
            long p = position + i;
            dst[off + i] = (byte) (mix(seed + (p >>> 3)) >>> ((p & 7) * 8));
        }
        return n;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** SHA-256 of the whole content, computed without storing it. */
    byte[] sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (long p = 0; p < size; ) {
                int n = read(p, buf, 0, buf.length);
                md.update(buf, 0, n);
                p += n;
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(Blob blob) throws java.io.IOException {
        try (java.io.InputStream in = blob.stream()) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
