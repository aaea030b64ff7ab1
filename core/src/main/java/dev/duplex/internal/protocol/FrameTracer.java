package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Describes frames in one line each, for debugging ({@code duplex --verbose}): direction, opcode,
 * FIN and RSV1, payload length, and a short preview (text, close code and reason, or hex).
 * It only watches: inbound bytes are read through a read-only view with a decoder of its own,
 * outbound frames from the header and payload about to be written, so the connection's own
 * state and bytes are never touched. Used only when tracing is on.
 */
public final class FrameTracer {
    /** How many payload bytes a line shows at most. */
    static final int PREVIEW = 48;

    private final Consumer<String> out;
    private final FrameDecoder decoder;
    private boolean broken;

    // the inbound frame being described
    private boolean fin;
    private boolean rsv1;
    private int opcode;
    private long length;
    private final byte[] preview = new byte[PREVIEW];
    private int previewLength;

    /**
     * @param expectMasked true at a server (inbound frames are masked)
     * @param out receives one line per frame
     */
    public FrameTracer(boolean expectMasked, Consumer<String> out) {
        this.out = out;
        this.decoder = new FrameDecoder(expectMasked, Long.MAX_VALUE, new Inbound());
        this.decoder.allowRsv(4 | 2 | 1);     // show what arrives; the connection judges it
    }

    /** Describes the frames (or parts of frames) in {@code received}, leaving it untouched. */
    public void inbound(ByteBuffer received) {
        if (broken) {
            return;
        }
        try {
            decoder.decode(received.duplicate());     // the decoder only reads
        } catch (ProtocolException e) {
            broken = true;
            out.accept("< (not a valid frame: " + e.getMessage() + "; no more frames shown)");
        }
    }

    /** Describes a frame about to be written: its encoded header and (masked, if a client's) payload. */
    public void outbound(ByteBuffer header, ByteBuffer payload) {
        ByteBuffer h = header.duplicate();
        int b0 = h.get() & 0xFF;
        int b1 = h.get() & 0xFF;
        long len = b1 & 0x7F;
        if (len == 126) {
            len = h.getShort() & 0xFFFF;
        } else if (len == 127) {
            len = h.getLong();
        }
        int key = (b1 & 0x80) != 0 ? h.getInt() : 0;
        byte[] shown = new byte[0];
        if (payload != null) {
            ByteBuffer p = payload.duplicate();
            shown = new byte[Math.min(PREVIEW, p.remaining())];
            p.get(shown);
            if (key != 0) {
                Masking.mask(shown, 0, shown.length, key, 0);
            }
        }
        out.accept(describe('>', (b0 & 0x80) != 0, (b0 & 0x40) != 0, b0 & 0x0F, len, shown, shown.length));
    }

    static String describe(char direction, boolean fin, boolean rsv1, int opcode, long length,
                           byte[] preview, int previewLength) {
        StringBuilder sb = new StringBuilder(96).append(direction).append(' ').append(Opcode.name(opcode));
        if (!fin) {
            sb.append(" (not final)");
        }
        if (rsv1) {
            sb.append(" compressed");
        }
        sb.append(' ').append(length).append(length == 1 ? " byte" : " bytes");
        if (previewLength == 0 || rsv1) {
            return sb.toString();
        }
        if (opcode == Opcode.CLOSE && previewLength >= 2) {
            int code = (preview[0] & 0xFF) << 8 | (preview[1] & 0xFF);
            sb.append(": code ").append(code);
            if (previewLength > 2) {
                sb.append(' ').append(quote(new String(preview, 2, previewLength - 2, StandardCharsets.UTF_8)));
            }
        } else if (opcode == Opcode.TEXT || opcode == Opcode.CONTINUATION && looksLikeText(preview, previewLength)) {
            sb.append(": ").append(quote(new String(preview, 0, previewLength, StandardCharsets.UTF_8)));
        } else {
            sb.append(": ");
            for (int i = 0; i < previewLength; i++) {
                sb.append(Character.forDigit((preview[i] >> 4) & 0xF, 16)).append(Character.forDigit(preview[i] & 0xF, 16));
            }
        }
        if (length > previewLength) {
            sb.append(" …");
        }
        return sb.toString();
    }

    private static boolean looksLikeText(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    // Control characters escaped so one frame stays one line.
    private static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7F) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private final class Inbound implements FrameListener {
        @Override
        public void onFrameStart(boolean f, int rsv, int op, long len) {
            fin = f;
            rsv1 = (rsv & 4) != 0;
            opcode = op;
            length = len;
            previewLength = 0;
        }

        @Override
        public void onFramePayload(ByteBuffer chunk, int mask) {
            int n = Math.min(PREVIEW - previewLength, chunk.remaining());
            chunk.get(chunk.position(), preview, previewLength, n);
            Masking.mask(preview, previewLength, n, mask, 0);
            previewLength += n;
        }

        @Override
        public void onFrameEnd() {
            out.accept(describe('<', fin, rsv1, opcode, length, preview, previewLength));
        }
    }
}
