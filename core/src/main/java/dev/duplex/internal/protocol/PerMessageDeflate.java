package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The permessage-deflate extension (RFC 7692): negotiation for both roles (static methods) and,
 * once negotiated, one connection's compressor and decompressor (an instance, owned by a
 * {@link Connection}).
 *
 * <h2>Negotiation (§5, §7.1)</h2>
 * <ul>
 *   <li>Client: {@link #offer(Config)} builds the {@code Sec-WebSocket-Extensions} value,
 *       {@link #validateResponse(String, Config)} checks the server's answer and fails on
 *       anything the offer did not allow.</li>
 *   <li>Server: {@link #accept(String, Config)} takes the first acceptable permessage-deflate
 *       offer; offers with unknown or repeated parameters or bad values are declined (skipped),
 *       never failed.</li>
 * </ul>
 *
 * <h2>Window sizes</h2>
 * Decompression accepts every window size (8–15 bits): {@link Inflater} always keeps a 32 KiB
 * window. {@link Deflater} cannot limit its window, so when this side must compress with fewer
 * than 15 window bits, it resets its compressor before each message and compresses only
 * messages of at most 2<sup>bits</sup> bytes (no back-reference can then reach further than the
 * window); longer messages are sent uncompressed, which is always valid (§6).
 *
 * <h2>Native memory</h2>
 * The {@link Deflater} (about 256 KiB of native memory) is created at the first message
 * compressed, the {@link Inflater} (about 40 KiB) at the first compressed message received, and
 * both are ended by {@link #release()}. Where no context is kept between messages (our
 * compressor: {@code *_no_context_takeover} for our role or a window under 15 bits; our
 * decompressor: the peer's {@code *_no_context_takeover}), it is borrowed from a small shared
 * pool ({@link ZlibPool}) for each message and given back after it, so an idle connection holds
 * no native memory for that direction. The pool, and the buffer inflated bytes pass through, come
 * from the {@link CodecResources} of the thread that owns the connection.
 */
public final class PerMessageDeflate {
    /** The extension's registered name. */
    public static final String NAME = "permessage-deflate";

    /** The trailer a SYNC_FLUSH ends with, removed on send and put back on receive (§7.2.1/§7.2.2). */
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    private static final byte[] NO_BYTES = new byte[0];

    /**
     * What an endpoint asks for (client) or insists on (server), and how it compresses.
     *
     * @param serverNoContextTakeover client: ask the server not to keep its compression context
     *        between messages; server: never keep it (always answer
     *        {@code server_no_context_takeover})
     * @param clientNoContextTakeover client: promise not to keep ours (offer
     *        {@code client_no_context_takeover}); server: ask the client not to keep its
     *        context (answer {@code client_no_context_takeover})
     * @param serverMaxWindowBits 8–15; below 15 the client offers
     *        {@code server_max_window_bits=N}, the server answers with at most N
     * @param clientMaxWindowBits 8–15; the client offers {@code client_max_window_bits} (no
     *        value at 15, as browsers do, else {@code =N}); a server below 15 answers
     *        {@code client_max_window_bits=N} when the client allowed the parameter
     * @param compressionThreshold messages shorter than this many bytes are sent uncompressed
     * @param compressionLevel the {@link Deflater} level, 0–9 or -1 for the default (6)
     */
    public record Config(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
                         int serverMaxWindowBits, int clientMaxWindowBits,
                         int compressionThreshold, int compressionLevel) {
        /** Browser-like defaults: context takeover both ways, 15-bit windows, 128-byte threshold. */
        public static final Config DEFAULT = new Config(false, false, 15, 15, 128, Deflater.DEFAULT_COMPRESSION);

        public Config {
            checkBits(serverMaxWindowBits, "serverMaxWindowBits");
            checkBits(clientMaxWindowBits, "clientMaxWindowBits");
            if (compressionThreshold < 0) {
                throw new IllegalArgumentException("compressionThreshold < 0: " + compressionThreshold);
            }
            if (compressionLevel < -1 || compressionLevel > 9) {
                throw new IllegalArgumentException("compressionLevel must be -1..9: " + compressionLevel);
            }
        }

        private static void checkBits(int bits, String name) {
            if (bits < 8 || bits > 15) {
                throw new IllegalArgumentException(name + " must be 8..15: " + bits);
            }
        }
    }

    /**
     * The parameters in force on a connection.
     *
     * @param serverMaxWindowBits the server's LZ77 window, 15 if not limited
     * @param clientMaxWindowBits the client's LZ77 window, 15 if not limited
     */
    public record Params(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
                         int serverMaxWindowBits, int clientMaxWindowBits) {}

    /** A server's acceptance: the parameters and the exact response element to send. */
    public record Agreement(Params params, String response) {}

    // ------------------------------------------------------------------ negotiation

    /** The client's offer for {@code config}, e.g. {@code permessage-deflate; client_max_window_bits}. */
    public static String offer(Config config) {
        StringBuilder sb = new StringBuilder(NAME);
        if (config.serverNoContextTakeover()) {
            sb.append("; server_no_context_takeover");
        }
        if (config.clientNoContextTakeover()) {
            sb.append("; client_no_context_takeover");
        }
        if (config.serverMaxWindowBits() < 15) {
            sb.append("; server_max_window_bits=").append(config.serverMaxWindowBits());
        }
        sb.append("; client_max_window_bits");
        if (config.clientMaxWindowBits() < 15) {
            sb.append('=').append(config.clientMaxWindowBits());
        }
        return sb.toString();
    }

    /**
     * Server side (§5.1, §7.1): picks the first acceptable permessage-deflate offer in a
     * {@code Sec-WebSocket-Extensions} value (all of the request's extension headers joined with
     * ", "). Offers with an unknown parameter, a parameter given twice, or an invalid value
     * are declined and the next one is tried.
     *
     * @return the agreement, or null when no offer is acceptable (the connection then goes on
     *         without compression)
     */
    public static Agreement accept(String offers, Config config) {
        if (offers == null || offers.isEmpty()) {
            return null;
        }
        for (String element : HttpHead.listElements(offers)) {
            Map<String, String> p = parseElement(element, NAME);
            if (p == null) {
                continue;
            }
            Agreement a = acceptOne(p, config);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    private static Agreement acceptOne(Map<String, String> offer, Config config) {
        boolean snct = false;
        boolean cnct = false;
        int offeredServerBits = -1;   // absent
        int offeredClientBits = -1;   // absent; 0 = present without a value
        for (Map.Entry<String, String> e : offer.entrySet()) {
            String value = e.getValue();
            switch (e.getKey()) {
                case "server_no_context_takeover":
                    if (value != null) return null;
                    snct = true;
                    break;
                case "client_no_context_takeover":
                    if (value != null) return null;
                    cnct = true;
                    break;
                case "server_max_window_bits":
                    offeredServerBits = bits(value);
                    if (offeredServerBits < 0) return null;
                    break;
                case "client_max_window_bits":
                    if (value == null) {
                        offeredClientBits = 0;
                    } else {
                        offeredClientBits = bits(value);
                        if (offeredClientBits < 0) return null;
                    }
                    break;
                default:
                    return null;     // unknown parameter: decline this offer
            }
        }
        boolean serverNct = snct || config.serverNoContextTakeover();
        boolean clientNct = cnct || config.clientNoContextTakeover();
        int serverBits = Math.min(offeredServerBits > 0 ? offeredServerBits : 15, config.serverMaxWindowBits());
        int clientBits = 15;
        StringBuilder sb = new StringBuilder(NAME);
        if (serverNct) {
            sb.append("; server_no_context_takeover");
        }
        if (clientNct) {
            sb.append("; client_no_context_takeover");
        }
        if (offeredServerBits > 0 || serverBits < 15) {
            sb.append("; server_max_window_bits=").append(serverBits);
        }
        if (offeredClientBits >= 0) {
            // §7.1.2.2: may answer only if offered; a value in the offer is the client's own limit.
            clientBits = Math.min(offeredClientBits > 0 ? offeredClientBits : 15, config.clientMaxWindowBits());
            if (clientBits < 15) {
                sb.append("; client_max_window_bits=").append(clientBits);
            }
        }
        // Without the parameter in the offer, a smaller client window cannot be asked for; our
        // Inflater reads any window, so the offer is accepted anyway.
        return new Agreement(new Params(serverNct, clientNct, serverBits, clientBits), sb.toString());
    }

    /**
     * Client side (§5.1, §7.1): checks the server's {@code Sec-WebSocket-Extensions} value
     * against our offer for {@code config}.
     *
     * @return the parameters in force, or null if the server accepted no extension
     * @throws HandshakeException naming the problem: another extension, permessage-deflate
     *         twice, an unknown or repeated parameter, a bad value, or a parameter the offer did
     *         not allow
     */
    public static Params validateResponse(String response, Config config) throws HandshakeException {
        if (response == null || response.isEmpty()) {
            return null;
        }
        List<String> elements = HttpHead.listElements(response);
        if (elements.size() != 1) {
            throw new HandshakeException("Server accepted " + elements.size()
                    + " extensions (\"" + response + "\"); only one permessage-deflate was offered");
        }
        Map<String, String> p = parseElement(elements.get(0), null);
        if (p == null) {
            throw new HandshakeException("Malformed Sec-WebSocket-Extensions header from the server: \""
                    + response + "\"");
        }
        if (!p.containsKey("")) {
            throw new HandshakeException("Server accepted extension \"" + p.get("\0name")
                    + "\" which the client did not offer (offered: " + NAME + ")");
        }
        p.remove("");
        boolean snct = false;
        boolean cnct = false;
        int serverBits = 15;
        int clientBits = 15;
        boolean serverBitsSeen = false;
        for (Map.Entry<String, String> e : p.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            switch (name) {
                case "server_no_context_takeover":
                case "client_no_context_takeover":
                    if (value != null) {
                        throw invalid(response, name + " must not have a value");
                    }
                    if (name.startsWith("server")) snct = true; else cnct = true;
                    break;
                case "server_max_window_bits":
                    serverBits = bits(value);
                    if (serverBits < 0) {
                        throw invalid(response, "server_max_window_bits needs a value from 8 to 15");
                    }
                    if (serverBits > config.serverMaxWindowBits()) {
                        throw invalid(response, "server_max_window_bits=" + serverBits
                                + " exceeds the offered " + config.serverMaxWindowBits());
                    }
                    serverBitsSeen = true;
                    break;
                case "client_max_window_bits":
                    clientBits = bits(value);
                    if (clientBits < 0) {
                        throw invalid(response, "client_max_window_bits needs a value from 8 to 15");
                    }
                    if (clientBits > config.clientMaxWindowBits()) {
                        throw invalid(response, "client_max_window_bits=" + clientBits
                                + " exceeds the offered " + config.clientMaxWindowBits());
                    }
                    break;
                default:
                    throw invalid(response, "unknown parameter \"" + name + "\"");
            }
        }
        if (config.serverNoContextTakeover() && !snct) {
            throw invalid(response, "server_no_context_takeover was requested but not granted");
        }
        if (config.serverMaxWindowBits() < 15 && !serverBitsSeen) {
            throw invalid(response, "server_max_window_bits=" + config.serverMaxWindowBits()
                    + " was requested but not granted");
        }
        if (config.clientNoContextTakeover()) {
            cnct = true;      // we promised it in the offer
        }
        if (config.clientMaxWindowBits() < 15) {
            clientBits = Math.min(clientBits, config.clientMaxWindowBits());
        }
        return new Params(snct, cnct, serverBits, clientBits);
    }

    private static HandshakeException invalid(String response, String problem) {
        return new HandshakeException("Invalid permessage-deflate response \"" + response + "\": " + problem);
    }

    /** 8..15 from a window-bits value (token or already unquoted), or -1. */
    private static int bits(String value) {
        if (value == null || value.length() > 2 || value.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        if (value.charAt(0) == '0') {
            return -1;       // RFC 7692 §7.1.2: 1*DIGIT without leading zero
        }
        int n = Integer.parseInt(value);
        return n >= 8 && n <= 15 ? n : -1;
    }

    /**
     * Parses one extension element ({@code name; p1; p2=v}) into its parameters, lower-cased
     * names in order, null values for parameters without one; quoted values are unquoted and
     * must then be tokens (RFC 6455 §9.1). Returns null if it is malformed, if a parameter is
     * repeated, or if {@code onlyName} is given and the element has another name. With
     * {@code onlyName} null, the key "" marks that the name was permessage-deflate and the key
     * "\0name" holds another name.
     */
    static Map<String, String> parseElement(String element, String onlyName) {
        List<String> parts = splitParams(element);
        if (parts == null || parts.isEmpty()) {
            return null;
        }
        String name = parts.get(0);
        if (!Http.isToken(name)) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (onlyName != null) {
            if (!name.equalsIgnoreCase(onlyName)) {
                return null;
            }
        } else if (name.equalsIgnoreCase(NAME)) {
            params.put("", "");
        } else {
            params.put("\0name", name);
            return params;
        }
        for (int i = 1; i < parts.size(); i++) {
            String part = parts.get(i);
            int eq = part.indexOf('=');
            String key = HttpHead.trimOws(eq < 0 ? part : part.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = null;
            if (eq >= 0) {
                value = HttpHead.trimOws(part.substring(eq + 1));
                if (value.startsWith("\"")) {
                    value = unquote(value);
                }
                if (value == null || !Http.isToken(value)) {
                    return null;
                }
            }
            if (!Http.isToken(key) || params.containsKey(key)) {
                return null;
            }
            params.put(key, value);
        }
        return params;
    }

    private static List<String> splitParams(String element) {
        List<String> out = new ArrayList<>(4);
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ';') {
                out.add(HttpHead.trimOws(element.substring(start, i)));
                start = i + 1;
            }
        }
        if (quoted) {
            return null;
        }
        out.add(HttpHead.trimOws(element.substring(start)));
        for (String s : out) {
            if (s.isEmpty()) {
                return null;
            }
        }
        return out;
    }

    private static String unquote(String s) {
        if (s.length() < 2 || !s.endsWith("\"")) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (++i >= s.length() - 1) {
                    return null;
                }
                c = s.charAt(i);
            } else if (c == '"') {
                return null;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ one connection's codec

    /** Receives decompressed bytes in bounded chunks (valid only during the call). */
    interface Sink {
        void accept(ByteBuffer chunk) throws ProtocolException;
    }

    private final boolean ownNoContextTakeover;
    private final boolean peerNoContextTakeover;
    private final int ownWindowBits;
    private final int threshold;
    private final int level;

    private final ZlibPool zlib;
    private final CodecResources resources; // the receiving thread's inflate buffer
    private final boolean poolDeflater;     // no compression context kept between messages
    private final boolean poolInflater;     // no decompression context kept between messages
    private Deflater deflater;              // guarded by the owning Connection's monitor
    private Inflater inflater;              // receiving thread only
    private volatile boolean released;

    /**
     * @param serverRole true if this endpoint is the server
     * @param params the negotiated parameters
     * @param compressionThreshold messages shorter than this are sent uncompressed
     * @param compressionLevel {@link Deflater} level, -1..9
     * @param resources the zlib pool and inflate buffer of the thread that receives for this
     *        connection
     */
    public PerMessageDeflate(boolean serverRole, Params params, int compressionThreshold, int compressionLevel,
                             CodecResources resources) {
        this.zlib = resources.zlib();
        this.resources = resources;
        this.ownNoContextTakeover = serverRole ? params.serverNoContextTakeover() : params.clientNoContextTakeover();
        this.peerNoContextTakeover = serverRole ? params.clientNoContextTakeover() : params.serverNoContextTakeover();
        this.ownWindowBits = serverRole ? params.serverMaxWindowBits() : params.clientMaxWindowBits();
        this.threshold = Math.max(1, compressionThreshold);
        this.level = compressionLevel;
        this.poolDeflater = ownNoContextTakeover || ownWindowBits < 15;
        this.poolInflater = peerNoContextTakeover;
    }

    /**
     * Compresses one whole message (§7.2.1): raw DEFLATE, SYNC_FLUSH, without the trailing
     * {@code 00 00 ff ff}. Returns null when the message is to be sent uncompressed: below the
     * threshold, too long for a window under 15 bits, not made smaller, or after
     * {@link #release()}. The caller serialises calls (the Connection's monitor).
     */
    byte[] compress(byte[] data) {
        if (data.length < threshold) {
            return null;
        }
        if (ownWindowBits < 15 && data.length > (1 << ownWindowBits)) {
            return null;
        }
        byte[] packed = deflateMessage(data);
        if (packed != null && packed.length >= data.length) {
            // No gain: send it plain, and forget what the compressor saw (the peer's window
            // will not contain it).
            if (deflater != null) {
                deflater.reset();
            }
            return null;
        }
        return packed;
    }

    /**
     * Compresses {@code data} unconditionally (§7.2.1): raw DEFLATE with SYNC_FLUSH, the
     * trailing {@code 00 00 ff ff} removed; the context is kept for the next message unless our
     * side has no context takeover or a window under 15 bits. Null after {@link #release()}.
     */
    byte[] deflateMessage(byte[] data) {
        Deflater d;
        synchronized (this) {
            if (released) {
                return null;
            }
            if (poolDeflater) {
                d = zlib.borrowDeflater(level);     // reset: nothing from earlier messages
            } else {
                if (deflater == null) {
                    deflater = zlib.newDeflater(level);
                }
                d = deflater;
            }
        }
        d.setInput(data);
        byte[] out = new byte[Math.max(64, data.length / 2 + 64)];
        int n = 0;
        while (true) {
            n += d.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
            if (n < out.length) {
                break;
            }
            out = Arrays.copyOf(out, out.length * 2);
        }
        d.setInput(NO_BYTES);     // the Deflater would otherwise keep the message reachable
        if (n >= 4 && out[n - 4] == 0 && out[n - 3] == 0 && out[n - 2] == (byte) 0xFF && out[n - 1] == (byte) 0xFF) {
            n -= 4;
        } else if (n == 0) {
            out[n++] = 0;    // nothing flushed (an empty message after a flush): an empty block's first byte
        }
        if (poolDeflater) {
            zlib.giveBack(d, level);
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Decompresses one received chunk of a compressed message, handing out at most 16 KiB at a
     * time, so that the caller can enforce its size limit before more is produced.
     *
     * @throws ProtocolException 1007 if the data is not a valid DEFLATE stream
     */
    void inflate(ByteBuffer chunk, Sink sink) throws ProtocolException {
        Inflater inf = inflater;
        if (inf == null) {
            synchronized (this) {
                if (released) {
                    chunk.position(chunk.limit());
                    return;
                }
                inf = inflater = poolInflater ? zlib.borrowInflater() : zlib.newInflater();
            }
        }
        if (inf.finished()) {
            chunk.position(chunk.limit());   // bytes after a final block belong to no stream
            return;
        }
        inf.setInput(chunk);
        byte[] out = resources.inflateBuffer();
        try {
            while (!released) {
                int n = inf.inflate(out);
                if (n == 0) {
                    break;
                }
                sink.accept(ByteBuffer.wrap(out, 0, n));
                if (inf.finished()) {
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw new ProtocolException(CloseCodes.INVALID_PAYLOAD,
                    "Invalid compressed data (permessage-deflate): " + e.getMessage());
        }
        if (!released) {
            inf.setInput(NO_BYTES);  // nothing is left (or what is left follows a final block): drop the reference
        }
        if (!released && inf.needsDictionary()) {
            throw new ProtocolException(CloseCodes.INVALID_PAYLOAD,
                    "Invalid compressed data (permessage-deflate): a preset dictionary is not allowed");
        }
        chunk.position(chunk.limit());
    }

    /** Ends a compressed message: feeds the removed {@code 00 00 ff ff} (§7.2.2). */
    void finishMessage(Sink sink) throws ProtocolException {
        inflate(ByteBuffer.wrap(TAIL), sink);
        Inflater inf = inflater;
        if (inf == null) {
            return;
        }
        if (poolInflater) {
            synchronized (this) {
                if (!released && inflater != null) {
                    inflater = null;
                    zlib.giveBack(inf);     // reset there, ready for anyone's next message
                }
            }
        } else if (!released && inf.finished()) {
            inf.reset();     // a final block ended the peer's stream: the next message starts afresh
        }
    }

    /** Whether a compressor or decompressor is held now (between messages: only with context takeover). */
    synchronized boolean holdsNativeObjects() {
        return deflater != null || inflater != null;
    }

    /** Ends the native compressor and decompressor; later calls compress and inflate nothing. Idempotent. */
    public void release() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            if (deflater != null) {
                zlib.end(deflater);
                deflater = null;
            }
            if (inflater != null) {
                zlib.end(inflater);
                inflater = null;
            }
        }
    }
}
