package dev.duplex;

import dev.duplex.internal.protocol.CloseCodes;
import dev.duplex.internal.protocol.Utf8;

import java.util.Objects;

/**
 * The back-pressure limits of a {@link WebSocketStream} and the close code its cancellation
 * sends (a Java extension; the connection's own settings stay in {@link WebSocketOptions} and
 * {@link ServerOptions}). Immutable and thread-safe:
 *
 * <pre>{@code
 * StreamOptions limits = StreamOptions.builder()
 *         .readBuffer(64 << 10)          // hold at most 64 KiB of unread messages
 *         .highWaterMark(4 << 20)        // let writers queue up to 4 MiB
 *         .cancelCode(4000).cancelReason("done reading")
 *         .build();
 * }</pre>
 *
 * <table>
 *   <caption>Stream options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link Builder#readBuffer(long) readBuffer}</td><td>256 KiB</td>
 *       <td>Received messages the readable side holds for its subscriber. Past it (the
 *       subscriber has no demand left), Duplex stops reading from the socket, so TCP flow
 *       control slows the peer down; reading resumes once the subscriber has taken the
 *       buffer below half of it. A single message larger than this is still held whole.</td></tr>
 *   <tr><td>{@link Builder#highWaterMark(long) highWaterMark}</td><td>1 MiB</td>
 *       <td>Payload bytes queued on the socket and not yet handed to the kernel above which
 *       writers are told to wait: {@link WebSocketStream.Writer#ready()} stays pending,
 *       {@link WebSocketStream.Writer#asSubscriber()} requests nothing more, and
 *       {@link WebSocketStream#send(Object)} blocks. A message is always accepted below the
 *       mark, so the queue exceeds it by at most one message per writing thread.</td></tr>
 *   <tr><td>{@link Builder#cancelCode(int) cancelCode}</td><td>1000</td>
 *       <td>The close code sent when the subscriber of the readable side cancels its
 *       subscription (which closes the socket, as cancelling a WebSocketStream's readable
 *       does in browsers).</td></tr>
 *   <tr><td>{@link Builder#cancelReason(String) cancelReason}</td><td>""</td>
 *       <td>The close reason sent with it.</td></tr>
 * </table>
 */
public final class StreamOptions {
    /** Default {@link #readBuffer()}: 256 KiB. */
    public static final long DEFAULT_READ_BUFFER = 256L << 10;
    /** Default {@link #highWaterMark()}: 1 MiB. */
    public static final long DEFAULT_HIGH_WATER_MARK = 1L << 20;
    /** Default {@link #cancelCode()}: 1000, normal closure. */
    public static final int DEFAULT_CANCEL_CODE = CloseCodes.NORMAL;

    private static final StreamOptions DEFAULTS = new Builder().build();

    private final long readBuffer;
    private final long highWaterMark;
    private final int cancelCode;
    private final String cancelReason;

    private StreamOptions(Builder b) {
        this.readBuffer = b.readBuffer;
        this.highWaterMark = b.highWaterMark;
        this.cancelCode = b.cancelCode;
        this.cancelReason = b.cancelReason;
    }

    /**
     * Returns a new builder with every option at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the options with every value at its default.
     *
     * @return the default options
     */
    public static StreamOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns the bytes of received messages held for the subscriber before reading stops.
     *
     * @return the read buffer, in bytes (text counts two bytes a character, as held in a String)
     */
    public long readBuffer() {
        return readBuffer;
    }

    /**
     * Returns the queued bytes above which writers are told to wait.
     *
     * @return the high-water mark, in bytes of message payload
     */
    public long highWaterMark() {
        return highWaterMark;
    }

    /**
     * Returns the close code sent when the readable side's subscriber cancels.
     *
     * @return a close code an endpoint may send
     */
    public int cancelCode() {
        return cancelCode;
    }

    /**
     * Returns the close reason sent when the readable side's subscriber cancels.
     *
     * @return the reason, "" by default
     */
    public String cancelReason() {
        return cancelReason;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamOptions that && readBuffer == that.readBuffer && highWaterMark == that.highWaterMark
                && cancelCode == that.cancelCode && cancelReason.equals(that.cancelReason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(readBuffer, highWaterMark, cancelCode, cancelReason);
    }

    @Override
    public String toString() {
        return "StreamOptions[readBuffer=" + readBuffer + ", highWaterMark=" + highWaterMark
                + ", cancelCode=" + cancelCode + ", cancelReason=\"" + cancelReason + "\"]";
    }

    /** Builds {@link StreamOptions}; every setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private long readBuffer = DEFAULT_READ_BUFFER;
        private long highWaterMark = DEFAULT_HIGH_WATER_MARK;
        private int cancelCode = DEFAULT_CANCEL_CODE;
        private String cancelReason = "";

        private Builder() {}

        /**
         * Sets the bytes of received messages held for the subscriber before Duplex stops
         * reading from the socket.
         *
         * @param bytes at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder readBuffer(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("readBuffer must be at least 1 byte, got " + bytes);
            }
            this.readBuffer = bytes;
            return this;
        }

        /**
         * Sets the queued payload bytes above which writers are told to wait.
         *
         * @param bytes at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder highWaterMark(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("highWaterMark must be at least 1 byte, got " + bytes);
            }
            this.highWaterMark = bytes;
            return this;
        }

        /**
         * Sets the close code sent when the readable side's subscriber cancels.
         *
         * @param code 1000–1003, 1007–1014 or 3000–4999 (the codes RFC 6455 lets an endpoint send)
         * @return this builder
         * @throws IllegalArgumentException for any other code
         */
        public Builder cancelCode(int code) {
            if (!CloseCodes.isValidOnWire(code)) {
                throw new IllegalArgumentException("cancelCode " + code + " cannot be sent in a close frame: use 1000-1003, "
                        + "1007-1014 or 3000-4999 (RFC 6455 section 7.4)");
            }
            this.cancelCode = code;
            return this;
        }

        /**
         * Sets the close reason sent when the readable side's subscriber cancels.
         *
         * @param reason at most 123 bytes of UTF-8, without unpaired surrogates
         * @return this builder
         * @throws IllegalArgumentException if {@code reason} is too long or not a valid string
         */
        public Builder cancelReason(String reason) {
            Objects.requireNonNull(reason, "reason");
            byte[] bytes = Utf8.encodeStrict(reason);
            if (bytes == null) {
                throw new IllegalArgumentException("cancelReason contains an unpaired surrogate");
            }
            if (bytes.length > 123) {
                throw new IllegalArgumentException("cancelReason is " + bytes.length
                        + " bytes of UTF-8; a close reason has at most 123 (RFC 6455 section 5.5)");
            }
            this.cancelReason = reason;
            return this;
        }

        /**
         * Returns the options.
         *
         * @return new immutable options
         */
        public StreamOptions build() {
            return new StreamOptions(this);
        }
    }
}
