package dev.duplex;

import dev.duplex.internal.protocol.PerMessageDeflate;

import java.util.Objects;

/**
 * How permessage-deflate (RFC 7692) is offered by a client or accepted by a server, and how
 * messages are compressed. Immutable; built with {@link #builder()}. Used by
 * {@link WebSocketOptions.Builder#deflateOptions(DeflateOptions)} and
 * {@link ServerOptions.Builder#deflateOptions(DeflateOptions)}; the extension itself is turned
 * on or off with {@code perMessageDeflate(boolean)}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>Setting</th><th>Default</th><th>Client</th><th>Server</th></tr>
 *   <tr><td>{@link Builder#serverNoContextTakeover(boolean) serverNoContextTakeover}</td>
 *       <td>false</td><td>offer {@code server_no_context_takeover}; a response without it
 *       then fails the connection</td><td>always answer {@code server_no_context_takeover}
 *       (compress every message on its own)</td></tr>
 *   <tr><td>{@link Builder#clientNoContextTakeover(boolean) clientNoContextTakeover}</td>
 *       <td>false</td><td>offer {@code client_no_context_takeover} (compress every message on
 *       its own)</td><td>answer {@code client_no_context_takeover}</td></tr>
 *   <tr><td>{@link Builder#serverMaxWindowBits(int) serverMaxWindowBits}</td><td>15</td>
 *       <td>below 15: offer {@code server_max_window_bits=N}; a response without it or with a
 *       larger value fails the connection</td><td>below 15: answer
 *       {@code server_max_window_bits} with at most N</td></tr>
 *   <tr><td>{@link Builder#clientMaxWindowBits(int) clientMaxWindowBits}</td><td>15</td>
 *       <td>15: offer {@code client_max_window_bits} without a value (as browsers do); below:
 *       {@code client_max_window_bits=N}</td><td>below 15: answer
 *       {@code client_max_window_bits=N} when the offer has the parameter (otherwise the
 *       offer is accepted without it: every window size is decompressed)</td></tr>
 *   <tr><td>{@link Builder#compressionThreshold(int) compressionThreshold}</td>
 *       <td>128 bytes</td><td colspan="2">messages shorter than this are sent uncompressed</td></tr>
 *   <tr><td>{@link Builder#compressionLevel(int) compressionLevel}</td><td>-1 (zlib's 6)</td>
 *       <td colspan="2">the {@link java.util.zip.Deflater} level, 0–9</td></tr>
 * </table>
 *
 * <p><b>Window sizes.</b> Any window size the peer uses is decompressed. The JDK's
 * {@code Deflater} cannot limit its own window, so when this side has to compress with fewer
 * than 15 window bits (the negotiated {@code server_max_window_bits} on a server,
 * {@code client_max_window_bits} on a client), Duplex compresses each message on its own and
 * only messages of at most 2<sup>N</sup> bytes; longer ones are sent uncompressed, which the
 * extension always allows. A message that does not get smaller is sent uncompressed too.
 *
 * <p><b>Memory.</b> With context takeover (the default) a connection keeps a compressor
 * (about 256 KiB of native memory, created at its first compressed send) and a decompressor
 * (about 40 KiB, created at its first compressed message received). Without context takeover
 * on the sending side ({@code serverNoContextTakeover} on a server,
 * {@code clientNoContextTakeover} on a client) the compressor is created for each compressed
 * message and ended right after it: idle connections then hold none, at some CPU cost per
 * message. See the README for measured numbers.
 */
public final class DeflateOptions {
    /** Default {@link #compressionThreshold()}: 128 bytes. */
    public static final int DEFAULT_COMPRESSION_THRESHOLD = 128;

    private static final DeflateOptions DEFAULTS = new Builder().build();

    private final PerMessageDeflate.Config config;

    private DeflateOptions(PerMessageDeflate.Config config) {
        this.config = config;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: context takeover both ways, 15-bit windows, threshold 128 bytes, default level. */
    public static DeflateOptions defaults() {
        return DEFAULTS;
    }

    /** A builder holding these values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.serverNoContextTakeover = config.serverNoContextTakeover();
        b.clientNoContextTakeover = config.clientNoContextTakeover();
        b.serverMaxWindowBits = config.serverMaxWindowBits();
        b.clientMaxWindowBits = config.clientMaxWindowBits();
        b.compressionThreshold = config.compressionThreshold();
        b.compressionLevel = config.compressionLevel();
        return b;
    }

    /** @return false by default */
    public boolean serverNoContextTakeover() {
        return config.serverNoContextTakeover();
    }

    /** @return false by default */
    public boolean clientNoContextTakeover() {
        return config.clientNoContextTakeover();
    }

    /** @return 8 to 15; 15 by default */
    public int serverMaxWindowBits() {
        return config.serverMaxWindowBits();
    }

    /** @return 8 to 15; 15 by default */
    public int clientMaxWindowBits() {
        return config.clientMaxWindowBits();
    }

    /** @return bytes; messages shorter than this are not compressed; 128 by default */
    public int compressionThreshold() {
        return config.compressionThreshold();
    }

    /** @return -1 (default level) or 0 to 9 */
    public int compressionLevel() {
        return config.compressionLevel();
    }

    /** The protocol layer's view of these options. */
    PerMessageDeflate.Config config() {
        return config;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeflateOptions && ((DeflateOptions) o).config.equals(config);
    }

    @Override
    public int hashCode() {
        return Objects.hash(config);
    }

    @Override
    public String toString() {
        return "DeflateOptions[serverNoContextTakeover=" + serverNoContextTakeover()
                + ", clientNoContextTakeover=" + clientNoContextTakeover()
                + ", serverMaxWindowBits=" + serverMaxWindowBits()
                + ", clientMaxWindowBits=" + clientMaxWindowBits()
                + ", compressionThreshold=" + compressionThreshold()
                + ", compressionLevel=" + compressionLevel() + "]";
    }

    /** Builds {@link DeflateOptions}; not thread-safe. */
    public static final class Builder {
        private boolean serverNoContextTakeover;
        private boolean clientNoContextTakeover;
        private int serverMaxWindowBits = 15;
        private int clientMaxWindowBits = 15;
        private int compressionThreshold = DEFAULT_COMPRESSION_THRESHOLD;
        private int compressionLevel = -1;

        private Builder() {}

        /**
         * The server compresses each message on its own (no context takeover).
         *
         * @param on false by default
         * @return this builder
         */
        public Builder serverNoContextTakeover(boolean on) {
            this.serverNoContextTakeover = on;
            return this;
        }

        /**
         * The client compresses each message on its own (no context takeover).
         *
         * @param on false by default
         * @return this builder
         */
        public Builder clientNoContextTakeover(boolean on) {
            this.clientNoContextTakeover = on;
            return this;
        }

        /**
         * The largest LZ77 window the server may compress with.
         *
         * @param bits 8 to 15; 15 by default
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder serverMaxWindowBits(int bits) {
            this.serverMaxWindowBits = checkBits(bits);
            return this;
        }

        /**
         * The largest LZ77 window the client may compress with.
         *
         * @param bits 8 to 15; 15 by default
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder clientMaxWindowBits(int bits) {
            this.clientMaxWindowBits = checkBits(bits);
            return this;
        }

        /**
         * Messages shorter than this are sent uncompressed (compressing tiny messages costs
         * more than it saves).
         *
         * @param bytes 0 or more; 128 by default (0 and 1 mean every non-empty message)
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder compressionThreshold(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("compressionThreshold must not be negative: " + bytes);
            }
            this.compressionThreshold = bytes;
            return this;
        }

        /**
         * The {@link java.util.zip.Deflater} compression level.
         *
         * @param level 0 (none) to 9 (best), or -1 for the default (6)
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder compressionLevel(int level) {
            if (level < -1 || level > 9) {
                throw new IllegalArgumentException("compressionLevel must be -1 to 9: " + level);
            }
            this.compressionLevel = level;
            return this;
        }

        /** @return the options */
        public DeflateOptions build() {
            return new DeflateOptions(new PerMessageDeflate.Config(serverNoContextTakeover, clientNoContextTakeover,
                    serverMaxWindowBits, clientMaxWindowBits, compressionThreshold, compressionLevel));
        }

        private static int checkBits(int bits) {
            if (bits < 8 || bits > 15) {
                throw new IllegalArgumentException("Window bits must be 8 to 15: " + bits);
            }
            return bits;
        }
    }
}
