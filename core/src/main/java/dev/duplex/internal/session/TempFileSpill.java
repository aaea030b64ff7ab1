package dev.duplex.internal.session;

import dev.duplex.internal.protocol.MessageSpill;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Spills a large received binary message to a temporary file, which becomes a {@link FileBlob}
 * (deleted by {@link Blob#close()}, when the blob is unreachable, or at exit) once the message
 * is complete. With a budget (a server's {@code maxTemporaryFileBytes}), every byte written is
 * taken from it first and given back when the file is deleted.
 */
public final class TempFileSpill implements MessageSpill {
    private final Path path;
    private final FileChannel out;
    private final SharedBudget budget;     // null: no limit
    private long size;

    private TempFileSpill(Path directory, SharedBudget budget) throws IOException {
        this.path = directory == null ? Files.createTempFile("duplex-message-", ".bin")
                : Files.createTempFile(directory, "duplex-message-", ".bin");
        this.out = FileChannel.open(path, StandardOpenOption.WRITE);
        this.budget = budget;
    }

    /** Spills to files in {@code directory} (null: java.io.tmpdir), without a limit on their total. */
    public static MessageSpill.Factory in(Path directory) {
        return in(directory, null);
    }

    /** Spills to files in {@code directory}, drawing their bytes from {@code budget} (null: no limit). */
    public static MessageSpill.Factory in(Path directory, SharedBudget budget) {
        return () -> new TempFileSpill(directory, budget);
    }

    @Override
    public void write(ByteBuffer chunk) throws IOException {
        int n = chunk.remaining();
        if (budget != null && !budget.reserve(n)) {
            throw new MessageSpill.LimitReached("A received message of " + (size + n) + " bytes cannot be stored: "
                    + budget.exhausted(n));
        }
        long start = size;
        try {
            while (chunk.hasRemaining()) {
                size += out.write(chunk);
            }
        } catch (IOException e) {
            if (budget != null) {
                budget.release(n - (size - start));
            }
            throw e;
        }
    }

    @Override
    public Object finish() throws IOException {
        out.close();
        return new SpilledMessage(path, size, budget);
    }

    @Override
    public void discard() {
        try {
            out.close();
        } catch (IOException ignored) {
            // Deleting is what matters.
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Nothing more to do.
        }
        if (budget != null) {
            budget.release(size);
        }
    }
}
