package dev.duplex.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * One message as it crosses the broker. Layout, big-endian:
 *
 * <pre>
 * byte    version (1)
 * byte    kind: 0 text, 1 binary
 * byte    n, then n bytes: the publishing node's id (ASCII, see ClusterOptions.nodeId)
 * long    sequence number of this message among the node's messages on this channel (from 1)
 * long    target connection number on the receiving node, or -1 (only on a node's own channel)
 * ...     the payload (UTF-8 for text)
 * </pre>
 *
 * <p>The sequence number is what lets a receiver keep the per-sender guarantees honest: it
 * drops a message it has seen (a publish that the Redis client repeated after a reconnect) and
 * counts the ones that never came (lost while a link was down).
 */
record Envelope(boolean binary, String origin, long sequence, long target, byte[] payload) {
    static final byte VERSION = 1;
    static final long NO_TARGET = -1;

    byte[] encode() {
        byte[] id = origin.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(3 + id.length + 16 + payload.length);
        b.put(VERSION).put((byte) (binary ? 1 : 0)).put((byte) id.length).put(id);
        b.putLong(sequence).putLong(target).put(payload);
        return b.array();
    }

    /** The text payload, or null if it is not valid UTF-8 (a text frame must never carry that). */
    String text() {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Reads an envelope; anyone with access to the broker can publish, so every field is checked.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static Envelope decode(byte[] message, int maxPayload) {
        if (message.length < 3) {
            throw new IllegalArgumentException("message of " + message.length + " bytes is shorter than any envelope");
        }
        ByteBuffer b = ByteBuffer.wrap(message);
        byte version = b.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("envelope version " + version + ", expected " + VERSION);
        }
        byte kind = b.get();
        if (kind != 0 && kind != 1) {
            throw new IllegalArgumentException("envelope kind " + kind + " is neither text (0) nor binary (1)");
        }
        int idLength = b.get() & 0xff;
        if (idLength == 0 || b.remaining() < idLength + 16) {
            throw new IllegalArgumentException("envelope truncated in its header");
        }
        byte[] id = new byte[idLength];
        b.get(id);
        long sequence = b.getLong();
        long target = b.getLong();
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence number " + sequence + " (they start at 1)");
        }
        if (b.remaining() > maxPayload) {
            throw new IllegalArgumentException("payload of " + b.remaining() + " bytes is over the limit of "
                    + maxPayload + " (ClusterOptions.maxMessageSize)");
        }
        byte[] payload = new byte[b.remaining()];
        b.get(payload);
        return new Envelope(kind == 1, new String(id, StandardCharsets.US_ASCII), sequence, target, payload);
    }
}
