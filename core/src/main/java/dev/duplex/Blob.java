package dev.duplex;

import dev.duplex.internal.protocol.Utf8;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An immutable sequence of bytes with a MIME type: the Java form of the File API's
 * {@code Blob}. Binary messages are delivered as {@code Blob}s by default (see
 * {@link BinaryType}), and a {@code Blob} can be sent with {@link WebSocket#send(Blob)}.
 *
 * <p>Create one with {@link #of(byte[])} or {@link #of(String)}; read it with
 * {@link #bytes()}, {@link #arrayBuffer()}, {@link #text()} or {@link #stream()}; take part
 * of it with {@link #slice(long, long)}. A slice shares the bytes of the blob it was taken
 * from rather than copying them.
 *
 * <p>A large received message may be kept in a temporary file rather than on the heap; such
 * a blob can be larger than the largest Java array ({@value #MAX_ARRAY_SIZE} bytes), in
 * which case {@link #bytes()}, {@link #arrayBuffer()} and {@link #text()} throw
 * {@link IllegalStateException} and {@link #stream()} must be used instead.
 *
 * <p>As in JavaScript, blobs are compared by identity: {@code equals} and {@code hashCode}
 * are those of {@link Object}. Compare their {@link #bytes()} to compare contents.
 *
 * <p>A blob over a temporary file holds that file (disk, and a file descriptor while it is
 * read) until it is garbage collected; {@link #close()} releases it at once, which a server
 * that receives large messages should do when it is done with one.
 *
 * <p>Blobs are immutable and safe to share between threads. The class cannot be subclassed
 * outside Duplex.
 */
public abstract class Blob implements AutoCloseable {
    /** The largest size, in bytes, that {@link #bytes()} and friends can return: {@value}. */
    public static final long MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8;

    private final String type;

    /**
     * Creates a blob with the given type, normalized as the File API does.
     *
     * @param type the MIME type; normalized by {@link #normalizeType(String)}
     */
    Blob(String type) {
        this.type = normalizeType(type);
    }

    /**
     * Creates a blob holding a copy of the given bytes, with type {@code ""}.
     *
     * @param bytes the contents; copied, so later changes to the array do not show
     * @return a new blob of {@code bytes.length} bytes
     * @throws NullPointerException if {@code bytes} is null
     */
    public static Blob of(byte[] bytes) {
        return of(bytes, "");
    }

    /**
     * Creates a blob holding a copy of the given bytes, with a MIME type.
     *
     * @param bytes the contents; copied, so later changes to the array do not show
     * @param type  the MIME type, e.g. {@code "image/png"}; lower-cased, and replaced with
     *              {@code ""} if it contains a character outside U+0020 to U+007E (as the
     *              File API does); {@code null} is taken as {@code ""}
     * @return a new blob of {@code bytes.length} bytes
     * @throws NullPointerException if {@code bytes} is null
     */
    public static Blob of(byte[] bytes, String type) {
        Objects.requireNonNull(bytes, "bytes must not be null");
        return new ArrayBlob(bytes.clone(), 0, bytes.length, type);
    }

    /**
     * Creates a blob holding the UTF-8 encoding of a string, with type {@code ""}.
     *
     * @param text the text; an unpaired surrogate is encoded as U+FFFD, as JavaScript does
     *             when it converts a string to a {@code USVString}
     * @return a new blob
     * @throws NullPointerException if {@code text} is null
     */
    public static Blob of(String text) {
        return of(text, "");
    }

    /**
     * Creates a blob holding the UTF-8 encoding of a string, with a MIME type.
     *
     * @param text the text; an unpaired surrogate is encoded as U+FFFD
     * @param type the MIME type, e.g. {@code "text/plain;charset=utf-8"}; normalized as in
     *             {@link #of(byte[], String)}
     * @return a new blob
     * @throws NullPointerException if {@code text} is null
     */
    public static Blob of(String text, String type) {
        Objects.requireNonNull(text, "text must not be null");
        byte[] bytes = Utf8.toScalarValues(text).getBytes(StandardCharsets.UTF_8);
        return new ArrayBlob(bytes, 0, bytes.length, type);
    }

    /**
     * Creates a blob over the contents of a file, without reading it now: the bytes are read
     * when the blob is read or sent, so a file of any size can be sent with
     * {@link WebSocket#send(Blob)} without holding it in memory. The file must not change while
     * the blob is in use. The file is never deleted by Duplex.
     *
     * @throws IOException if the file's size cannot be read (it does not exist, say)
     */
    public static Blob of(Path file) throws IOException {
        return FileBlob.open(file, "");
    }

    /** As {@link #of(java.nio.file.Path)}, with a MIME type. */
    public static Blob of(Path file, String type) throws IOException {
        return FileBlob.open(file, type);
    }

    /**
     * Creates a blob that takes ownership of an array without copying it. The caller must not
     * modify the array afterwards. Used for received messages.
     */
    static Blob wrap(byte[] bytes) {
        return new ArrayBlob(bytes, 0, bytes.length, "");
    }

    /**
     * Creates a blob over part of an array, taking ownership of it without copying. The
     * caller must not modify that part of the array afterwards.
     */
    static Blob wrap(byte[] bytes, int offset, int length) {
        return new ArrayBlob(bytes, offset, length, "");
    }

    /**
     * Returns the number of bytes in the blob.
     *
     * @return the size in bytes, 0 or more
     */
    public abstract long size();

    /**
     * Releases now what the blob holds outside the heap. For a received message that was kept
     * in a temporary file (above {@code largeMessageThreshold}) the file is deleted and its
     * descriptor closed, for this blob and every slice of it; reading any of them afterwards
     * throws {@link IllegalStateException}. A buffer already handed out as a memory-mapped
     * {@code ArrayBuffer} stays readable. For other blobs (in memory, or over an application's
     * file, which Duplex never deletes) it does nothing. Idempotent.
     */
    @Override
    public void close() {
    }

    /**
     * Returns the MIME type given when the blob was created.
     *
     * @return the type in ASCII lower case, or {@code ""} if none was given (or it contained a
     *         character outside U+0020 to U+007E)
     */
    public final String type() {
        return type;
    }

    /**
     * Reads bytes from the blob. The only primitive a blob implementation must provide
     * besides {@link #size()}.
     *
     * @param position where to start reading, 0 to {@code size()}
     * @param dst      where to put the bytes
     * @param off      the first index of {@code dst} to fill
     * @param len      the most bytes to read
     * @return the number of bytes read, at least 1 if {@code len > 0} and
     *         {@code position < size()}; {@code -1} if {@code position >= size()} and
     *         {@code len > 0}; 0 if {@code len == 0}
     * @throws java.io.UncheckedIOException if the bytes live in a file that cannot be read
     */
    abstract int read(long position, byte[] dst, int off, int len);

    /**
     * Returns a blob over bytes {@code start} (inclusive) to {@code start + length}
     * (exclusive) of this one. Both are valid, already clamped; {@code type} is normalized.
     * Implementations should share the data rather than copy it.
     */
    Blob sliceRange(long start, long length, String type) {
        return new SliceBlob(this, start, length, type);
    }

    /**
     * Returns a copy of the whole blob with type {@code ""}, like {@code blob.slice()} in
     * JavaScript. The bytes are shared, not copied.
     *
     * @return a new blob with the same bytes and an empty type
     */
    public Blob slice() {
        return slice(0, Long.MAX_VALUE, "");
    }

    /**
     * Returns the bytes from {@code start} to the end, with type {@code ""}, like
     * {@code blob.slice(start)} in JavaScript.
     *
     * @param start the first byte to include; a negative value counts back from the end
     * @return a new blob sharing the selected bytes
     */
    public Blob slice(long start) {
        return slice(start, Long.MAX_VALUE, "");
    }

    /**
     * Returns the bytes from {@code start} (inclusive) to {@code end} (exclusive), with type
     * {@code ""}, following the File API: a negative index counts back from the end
     * ({@code -1} is the last byte), indexes are clamped to {@code 0..size()}, and the slice
     * is empty if {@code end} comes before {@code start}. The bytes are shared, not copied.
     *
     * @param start the first byte to include
     * @param end   the first byte not to include
     * @return a new blob sharing the selected bytes
     */
    public Blob slice(long start, long end) {
        return slice(start, end, "");
    }

    /**
     * Returns the bytes from {@code start} (inclusive) to {@code end} (exclusive) as a blob of
     * the given type. Indexes are handled as in {@link #slice(long, long)}.
     *
     * @param start       the first byte to include
     * @param end         the first byte not to include
     * @param contentType the type of the new blob, normalized as in
     *                    {@link #of(byte[], String)}; {@code null} is taken as {@code ""}
     * @return a new blob sharing the selected bytes
     */
    public Blob slice(long start, long end, String contentType) {
        long size = size();
        long from = start < 0 ? Math.max(size + start, 0) : Math.min(start, size);
        long to = end < 0 ? Math.max(size + end, 0) : Math.min(end, size);
        long length = Math.max(to - from, 0);
        return sliceRange(from, length, normalizeType(contentType));
    }

    /**
     * Returns a copy of the contents.
     *
     * @return a new array the caller owns
     * @throws IllegalStateException if the blob is larger than {@value #MAX_ARRAY_SIZE} bytes,
     *                               the most a Java array can hold (use {@link #stream()})
     */
    public byte[] bytes() {
        byte[] out = new byte[checkedArraySize("bytes()")];
        readFully(out);
        return out;
    }

    /**
     * Returns a copy of the contents as a buffer, the Java form of an {@code ArrayBuffer}.
     *
     * @return a new, independent heap buffer with position 0 and limit {@link #size()}
     * @throws IllegalStateException if the blob is larger than {@value #MAX_ARRAY_SIZE} bytes
     *                               (use {@link #stream()})
     */
    public ByteBuffer arrayBuffer() {
        return ByteBuffer.wrap(bytes());
    }

    /**
     * Decodes the contents as UTF-8, as the File API's {@code text()} does: a leading byte
     * order mark is dropped and each malformed sequence is replaced with U+FFFD (following
     * the Encoding standard's rules for how many bytes one replacement covers).
     *
     * @return the decoded text
     * @throws IllegalStateException if the blob is larger than {@value #MAX_ARRAY_SIZE} bytes
     *                               (use {@link #stream()})
     */
    public String text() {
        checkedArraySize("text()");
        byte[] bytes = bytes();
        return Utf8.decode(bytes, 0, bytes.length);
    }

    /**
     * Opens a stream over the contents. It works for blobs of any size, supports
     * {@link InputStream#mark(int) mark} and {@link InputStream#skip(long) skip}, and needs no
     * closing (closing it does nothing).
     *
     * @return a new stream positioned at the first byte
     */
    public InputStream stream() {
        return new BlobInputStream(this);
    }

    /**
     * Returns a description for logs.
     *
     * @return e.g. {@code Blob[size=5, type="text/plain"]}
     */
    @Override
    public String toString() {
        return "Blob[size=" + size() + ", type=\"" + type + "\"]";
    }

    /**
     * Normalizes a MIME type as the File API does: {@code ""} if it contains a character
     * outside U+0020 to U+007E (or is null), else its ASCII lower-case form.
     */
    static String normalizeType(String type) {
        if (type == null || type.isEmpty()) {
            return "";
        }
        boolean upper = false;
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "";
            }
            upper |= c >= 'A' && c <= 'Z';
        }
        if (!upper) {
            return type;
        }
        char[] chars = type.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] += 'a' - 'A';
            }
        }
        return new String(chars);
    }

    /** Fills {@code out} from position 0, failing if the blob turns out shorter. */
    private void readFully(byte[] out) {
        int filled = 0;
        while (filled < out.length) {
            int n = read(filled, out, filled, out.length - filled);
            if (n <= 0) {
                throw new IllegalStateException("Blob ended after " + filled + " of " + out.length + " bytes");
            }
            filled += n;
        }
    }

    /** Returns the size as an int, or throws if it does not fit in a Java array. */
    final int checkedArraySize(String operation) {
        long size = size();
        if (size > MAX_ARRAY_SIZE) {
            throw new IllegalStateException("This blob holds " + size + " bytes, more than the " + MAX_ARRAY_SIZE
                    + " a Java array can hold, so " + operation + " cannot return it; read it with stream() instead");
        }
        return (int) size;
    }

    /** A view of part of another blob, for implementations that do not slice natively. */
    private static final class SliceBlob extends Blob {
        private final Blob parent;
        private final long start;
        private final long length;

        SliceBlob(Blob parent, long start, long length, String type) {
            super(type);
            this.parent = parent;
            this.start = start;
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
            return parent.read(start + position, dst, off, n);
        }

        @Override
        Blob sliceRange(long from, long count, String type) {
            return parent.sliceRange(start + from, count, type);
        }
    }

    /** The stream returned by {@link #stream()}. */
    private static final class BlobInputStream extends InputStream {
        private final Blob blob;
        private final long size;
        private long position;
        private long mark;

        BlobInputStream(Blob blob) {
            this.blob = blob;
            this.size = blob.size();
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (position >= size) {
                return -1;
            }
            int n = blob.read(position, b, off, len);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) {
            if (n <= 0) {
                return 0;
            }
            long skipped = Math.min(n, size - position);
            position += skipped;
            return skipped;
        }

        @Override
        public int available() {
            return (int) Math.min(size - position, Integer.MAX_VALUE);
        }

        @Override
        public boolean markSupported() {
            return true;
        }

        @Override
        public void mark(int readLimit) {
            mark = position;
        }

        @Override
        public void reset() {
            position = mark;
        }
    }
}
