package dev.duplex.internal.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * What the protocol objects of one thread's connections share instead of statics or
 * ThreadLocals: a client's mask keys, the zlib pool, the buffer that inflated bytes pass through
 * and the SHA-1 of {@code Sec-WebSocket-Accept}. The protocol classes hold no global mutable
 * state; whoever owns the threads makes these and hands them in (the transport: one per event
 * loop, see {@code EventLoop.codecResources()}), so that sharing follows the threads.
 *
 * <p>{@link #maskKeys()} and {@link #zlib()} are thread-safe (a client sends from any thread).
 * {@link #inflateBuffer()} and {@link #sha1()} are not: they serve the one thread that receives
 * for these connections and runs their handshakes (the event loop's).
 */
public final class CodecResources {
    /** Inflated bytes are handed over at most this many at a time. */
    static final int INFLATE_CHUNK = 16 * 1024;

    private final MaskKeySource maskKeys;
    private final ZlibPool zlib;
    private byte[] inflateBuffer;           // made at the first compressed message
    private final MessageDigest sha1;

    public CodecResources(MaskKeySource maskKeys, ZlibPool zlib) {
        this.maskKeys = maskKeys;
        this.zlib = zlib;
        this.sha1 = newSha1();
    }

    /**
     * Resources of their own, for connections used from one thread outside an event loop (a
     * test, a benchmark): a keystream seeded from a new {@link SecureRandom}, a new pool.
     */
    public static CodecResources create() {
        return new CodecResources(MaskKeySource.keystream(new SecureRandom()), new ZlibPool());
    }

    /** A client's mask keys (RFC 6455 §5.3). Thread-safe. */
    public MaskKeySource maskKeys() {
        return maskKeys;
    }

    /** Deflaters and inflaters for permessage-deflate. Thread-safe. */
    public ZlibPool zlib() {
        return zlib;
    }

    // Inflated bytes are copied out before PerMessageDeflate.inflate returns, so one buffer serves
    // every connection of the receiving thread: no per-connection heap for it.
    byte[] inflateBuffer() {
        byte[] b = inflateBuffer;
        if (b == null) {
            b = inflateBuffer = new byte[INFLATE_CHUNK];
        }
        return b;
    }

    /**
     * The SHA-1 for {@code Sec-WebSocket-Accept}, reused: {@code MessageDigest.getInstance} costs
     * a provider lookup and a fresh state (about 0.5 KB) per handshake. Receiving thread only.
     */
    public MessageDigest sha1() {
        return sha1;
    }

    static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }
}
