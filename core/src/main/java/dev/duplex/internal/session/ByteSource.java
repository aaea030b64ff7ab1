package dev.duplex.internal.session;

/** Bytes a session reads while it sends them in fragments (a large {@code Blob}, a file). */
public interface ByteSource {
    long size();

    /**
     * Reads up to {@code len} bytes at {@code position} into {@code dst}; the number read, or -1
     * at the end.
     *
     * @throws java.io.UncheckedIOException if the bytes cannot be read
     */
    int read(long position, byte[] dst, int off, int len);
}
