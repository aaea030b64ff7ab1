package dev.duplex;

import dev.duplex.internal.session.SharedBudget;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Objects;

/**
 * A {@link Blob} whose bytes live in a file: a large received message spilled to a temporary
 * file, or a file the application wants to send ({@link Blob#of(Path)}). Slices share the file.
 *
 * <p>A temporary file is deleted when no blob over it is reachable any more (a {@link Cleaner}
 * runs after garbage collection), and at the latest when the JVM exits normally.
 */
final class FileBlob extends Blob {
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "duplex-blob-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final Set<Path> LIVE_TEMP_FILES = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path p : LIVE_TEMP_FILES) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Exiting: nothing more to do.
                }
            }
        }, "duplex-blob-cleanup"));
    }

    private final Backing file;
    private final long offset;
    private final long length;

    private FileBlob(Backing file, long offset, long length, String type) {
        super(type);
        this.file = file;
        this.offset = offset;
        this.length = length;
    }

    /**
     * A blob over a whole temporary file, deleted by {@link #close()} or when the blob becomes
     * unreachable; its {@code size} bytes go back to {@code budget} (null: none) then.
     */
    static FileBlob ownTemporary(Path temp, long size, SharedBudget budget) {
        Backing b = new Backing(temp, true, size, budget);
        LIVE_TEMP_FILES.add(temp);
        FileBlob blob = new FileBlob(b, 0, size, "");
        b.cleanable = CLEANER.register(b.owner(), b.cleanup());
        return blob;
    }

    /** A blob over an application's file, read as it is now; the file is never deleted. */
    static FileBlob open(Path file, String type) throws IOException {
        long size = Files.size(file);
        Backing b = new Backing(file, false, size, null);
        FileBlob blob = new FileBlob(b, 0, size, type);
        b.cleanable = CLEANER.register(b.owner(), b.cleanup());
        return blob;
    }

    /** Deletes a temporary file now (and closes the descriptor of any file); see {@link Blob#close()}. */
    @Override
    public void close() {
        if (file.temporary) {
            file.cleanable.clean();     // runs the cleanup once, whoever asks first
        } else {
            file.holder.close();
        }
    }

    /** Number of temporary files Duplex created that are not deleted yet (for tests). */
    static int liveTemporaryFiles() {
        return LIVE_TEMP_FILES.size();
    }

    Path path() {
        return file.path;
    }

    /**
     * The bytes as a read-only memory-mapped buffer (for {@code binaryType} ARRAYBUFFER): no
     * heap copy. The mapping stays valid after the file is deleted.
     *
     * @throws IOException if the blob is over 2 GiB, the largest buffer Java can map
     */
    ByteBuffer mapReadOnly() throws IOException {
        if (length > Integer.MAX_VALUE) {
            throw new IOException("a ByteBuffer holds at most " + Integer.MAX_VALUE + " bytes");
        }
        ByteBuffer mapped = file.channel().map(FileChannel.MapMode.READ_ONLY, offset, length);
        file.holder.close();     // the mapping does not need the descriptor
        return mapped;
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
        ByteBuffer target = ByteBuffer.wrap(dst, off, n);
        try {
            FileChannel ch = file.channel();
            while (target.hasRemaining()) {
                int r = ch.read(target, offset + position + (n - target.remaining()));
                if (r < 0) {
                    throw new IOException("The file behind a blob got shorter: " + file.path);
                }
            }
            if (position + n == length) {
                // Reading usually runs to the end (streaming, sending): do not hold a descriptor
                // until garbage collection; a later read opens the file again.
                file.holder.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read blob data from " + file.path, e);
        }
        return n;
    }

    @Override
    Blob sliceRange(long from, long count, String type) {
        // The slice holds the same Backing, so the file lives as long as any slice does.
        return new FileBlob(file, offset + from, count, type);
    }

    /**
     * The file and its open channel. Blobs reference it; the cleanup action must not, so it gets
     * the path and a holder for the channel.
     */
    private static final class Backing {
        final Path path;
        final boolean temporary;
        final long size;
        final SharedBudget budget;
        final ChannelHolder holder = new ChannelHolder();
        Cleaner.Cleanable cleanable;

        Backing(Path path, boolean temporary, long size, SharedBudget budget) {
            this.path = path;
            this.temporary = temporary;
            this.size = size;
            this.budget = budget;
        }

        // The object whose unreachability triggers the cleanup: the Backing itself.
        Object owner() {
            return this;
        }

        Runnable cleanup() {
            Path p = path;
            boolean delete = temporary;
            ChannelHolder h = holder;
            SharedBudget b = budget;
            long bytes = size;
            return () -> {
                h.close(true);
                if (b != null) {
                    b.release(bytes);
                }
                if (delete) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // Left for the exit hook.
                    }
                    LIVE_TEMP_FILES.remove(p);
                }
            };
        }

        FileChannel channel() throws IOException {
            return holder.open(path);
        }
    }

    private static final class ChannelHolder {
        private FileChannel channel;
        private boolean released;

        synchronized FileChannel open(Path path) throws IOException {
            if (released) {
                throw new IllegalStateException("The blob was closed: its temporary file " + path + " is deleted");
            }
            if (channel == null || !channel.isOpen()) {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            }
            return channel;
        }

        /** Closes the descriptor; {@code forGood}: the file is gone, later reads fail. */
        synchronized void close(boolean forGood) {
            released |= forGood;
            close();
        }

        synchronized void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // Closing only.
                }
                channel = null;
            }
        }
    }
}
