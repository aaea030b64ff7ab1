package dev.duplex;

import dev.duplex.protocol.MessageSpill;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Spills a large received binary message to a temporary file, which becomes a {@link FileBlob}
 * (deleted when the blob is unreachable, or at exit) once the message is complete.
 */
final class TempFileSpill implements MessageSpill {
    private final Path path;
    private final FileChannel out;
    private long size;

    private TempFileSpill(Path directory) throws IOException {
        this.path = directory == null ? Files.createTempFile("duplex-message-", ".bin")
                : Files.createTempFile(directory, "duplex-message-", ".bin");
        this.out = FileChannel.open(path, StandardOpenOption.WRITE);
    }

    /** Spills to files in {@code directory} (null: java.io.tmpdir). */
    static MessageSpill.Factory in(Path directory) {
        return () -> new TempFileSpill(directory);
    }

    @Override
    public void write(ByteBuffer chunk) throws IOException {
        while (chunk.hasRemaining()) {
            size += out.write(chunk);
        }
    }

    @Override
    public Object finish() throws IOException {
        out.close();
        return FileBlob.ownTemporary(path, size);
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
    }
}
