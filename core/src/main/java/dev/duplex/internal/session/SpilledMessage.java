package dev.duplex.internal.session;

import java.nio.file.Path;

/**
 * A received binary message that went to a temporary file ({@link TempFileSpill}), for the API
 * layer to hand out as a file-backed {@code Blob}.
 *
 * @param file the temporary file; its owner deletes it
 * @param size the message's length in bytes
 * @param budget the server's disk budget its bytes were taken from, or null; they go back to it
 *        when the file is deleted
 */
public record SpilledMessage(Path file, long size, SharedBudget budget) {
}
