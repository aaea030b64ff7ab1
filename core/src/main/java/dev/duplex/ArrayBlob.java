package dev.duplex;

import dev.duplex.internal.protocol.Utf8;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link Blob} whose bytes are part of a heap array. Slices share the array. The array is
 * never modified after construction.
 */
final class ArrayBlob extends Blob {
    private final byte[] array;
    private final int offset;
    private final int length;

    ArrayBlob(byte[] array, int offset, int length, String type) {
        super(type);
        Objects.checkFromIndexSize(offset, length, array.length);
        this.array = array;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public long size() {
        return length;
    }

    @Override
    int read(long position, byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        if (position < 0) {
            throw new IndexOutOfBoundsException("position " + position);
        }
        if (len == 0) {
            return 0;
        }
        if (position >= length) {
            return -1;
        }
        int n = (int) Math.min(len, length - position);
        System.arraycopy(array, offset + (int) position, dst, off, n);
        return n;
    }

    @Override
    Blob sliceRange(long start, long count, String type) {
        return new ArrayBlob(array, offset + (int) start, (int) count, type);
    }

    /** The array holding the bytes, from {@link #offset()}; never changed, and not to be. */
    byte[] array() {
        return array;
    }

    /** Where the bytes start in {@link #array()}. */
    int offset() {
        return offset;
    }

    @Override
    public byte[] bytes() {
        return Arrays.copyOfRange(array, offset, offset + length);
    }

    @Override
    public String text() {
        return Utf8.decode(array, offset, length);
    }

    @Override
    public InputStream stream() {
        return new ByteArrayInputStream(array, offset, length);
    }

    /** A read-only view of the bytes, positioned at 0, for sending without a copy. */
    ByteBuffer readOnlyBuffer() {
        return ByteBuffer.wrap(array, offset, length).slice().asReadOnlyBuffer();
    }
}
