package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Chopping invariance (DESIGN.md: "any chopping of the input gives the same result"): a random
 * conversation, fed to a {@link Connection} all at once, byte by byte, and in random pieces of
 * heap, direct and read-only buffers, gives the same listener events and the same output bytes.
 * For well-formed conversations the events and output must also equal what the script says.
 */
class ChoppingPropertyTest {

    @Property(tries = 250)
    void clientToServer(@ForAll long seed) {
        check(Connection.Role.SERVER, seed);
    }

    @Property(tries = 250)
    void serverToClient(@ForAll long seed) {
        check(Connection.Role.CLIENT, seed);
    }

    /** Seeds that are always run, whatever jqwik generates. */
    @Example
    void fixedSeeds() {
        for (long seed = 0; seed < 40; seed++) {
            check(Connection.Role.SERVER, seed);
            check(Connection.Role.CLIENT, seed);
        }
    }

    // ------------------------------------------------------------------ a random conversation

    /** The bytes the peer sends, and what they must produce when nothing was corrupted. */
    static final class Script {
        final ByteArrayOutputStream wire = new ByteArrayOutputStream();
        final List<Integer> frameStarts = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        final List<String> output = new ArrayList<>();
        boolean corrupted;
        long maxMessageSize = Long.MAX_VALUE;
        long maxFrameSize = Long.MAX_VALUE;
    }

    static Script generate(Connection.Role receiver, Random r) {
        Script s = new Script();
        boolean masked = receiver == Connection.Role.SERVER;
        boolean outMasked = !masked;
        int messages = r.nextInt(8);
        for (int m = 0; m < messages; m++) {
            controls(s, r, masked, outMasked);
            boolean text = r.nextBoolean();
            byte[] payload;
            String event; // reported after the control frames interleaved with its fragments
            if (text) {
                String t = Utf8ValidatorTest.randomText(r, pickLength(r) / 3);
                payload = t.getBytes(StandardCharsets.UTF_8);
                event = "text " + t;
            } else {
                payload = new byte[pickLength(r)];
                r.nextBytes(payload);
                event = "binary " + hex(payload);
            }
            // Fragments cut at random byte positions, even inside a code point.
            int fragments = r.nextInt(3) == 0 ? 1 : 1 + r.nextInt(5);
            int[] cuts = r.ints(fragments - 1, 0, payload.length + 1).sorted().toArray();
            int from = 0;
            for (int f = 0; f < fragments; f++) {
                int to = f < fragments - 1 ? cuts[f] : payload.length;
                int opcode = f == 0 ? (text ? Opcode.TEXT : Opcode.BINARY) : Opcode.CONTINUATION;
                add(s, frame(r, f == fragments - 1, opcode, java.util.Arrays.copyOfRange(payload, from, to), masked));
                from = to;
                if (f < fragments - 1) {
                    controls(s, r, masked, outMasked);
                }
            }
            s.events.add(event);
        }
        controls(s, r, masked, outMasked);
        if (r.nextInt(5) != 0) {
            byte[] close;
            if (r.nextInt(4) == 0) {
                close = new byte[0];
                s.events.add("close 1005 ");
                s.output.add("F0 CLOSE" + (outMasked ? " masked " : " "));
            } else {
                int[] codes = {1000, 1001, 1003, 1008, 1011, 3000, 4999};
                int code = codes[r.nextInt(codes.length)];
                String reason = Utf8ValidatorTest.randomText(r, r.nextInt(10));
                while (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
                    reason = reason.substring(0, reason.length() / 2);
                    if (Character.isHighSurrogate(reason.charAt(Math.max(0, reason.length() - 1)))) {
                        reason = reason.substring(0, reason.length() - 1);
                    }
                }
                close = Wire.closePayload(code, reason);
                s.events.add("close " + code + " " + reason);
                s.output.add("F0 CLOSE" + (outMasked ? " masked " : " ") + hex(Wire.closePayload(code, reason)));
            }
            add(s, frame(r, true, Opcode.CLOSE, close, masked));
            // Control frames after the close are ignored; a data frame there fails the connection
            // (without a second close frame), in the same read or not.
            if (r.nextBoolean()) {
                add(s, frame(r, true, Opcode.PING, Wire.utf8("p"), masked));
                if (r.nextBoolean()) {
                    add(s, frame(r, true, Opcode.TEXT, Wire.utf8("after close"), masked));
                    s.events.add("error 1002");
                    add(s, frame(r, true, Opcode.PING, Wire.utf8("q"), masked));
                }
            }
        }
        // Sometimes: break the conversation (a flipped byte) or set tight limits. The result is
        // then unknown, but it must still not depend on the chopping.
        int mode = r.nextInt(6);
        if (mode == 0 && s.wire.size() > 0) {
            byte[] w = s.wire.toByteArray();
            // Half the time in the first two bytes of a header: bits, opcode, mask, length.
            int at = r.nextBoolean() ? r.nextInt(w.length)
                    : Math.min(w.length - 1, s.frameStarts.get(r.nextInt(s.frameStarts.size())) + r.nextInt(2));
            w[at] ^= (byte) (1 << r.nextInt(8));
            s.wire.reset();
            s.wire.writeBytes(w);
            s.corrupted = true;
        } else if (mode == 1) {
            s.maxMessageSize = 1 + r.nextInt(400);
            s.maxFrameSize = 1 + r.nextInt(400);
            s.corrupted = true;
        }
        return s;
    }

    /** Zero to three pings and pongs; each ping expects a pong with its payload in the output. */
    private static void controls(Script s, Random r, boolean masked, boolean outMasked) {
        for (int i = r.nextInt(4) == 0 ? r.nextInt(4) : 0; i > 0; i--) {
            byte[] payload = new byte[r.nextInt(3) == 0 ? 0 : r.nextInt(126)];
            r.nextBytes(payload);
            if (r.nextBoolean()) {
                add(s, frame(r, true, Opcode.PING, payload, masked));
                s.events.add("ping " + hex(payload));
                s.output.add("F0 PONG" + (outMasked ? " masked " : " ") + hex(payload));
            } else {
                add(s, frame(r, true, Opcode.PONG, payload, masked));
                s.events.add("pong " + hex(payload));
            }
        }
    }

    private static void add(Script s, byte[] frame) {
        s.frameStarts.add(s.wire.size());
        s.wire.writeBytes(frame);
    }

    private static int pickLength(Random r) {
        switch (r.nextInt(12)) {
            case 0: return 0;
            case 1: return 125;
            case 2: return 126;
            case 3: return r.nextInt(4) == 0 ? 65535 + r.nextInt(3) - 1 : 126 + r.nextInt(3) - 1;
            case 4: return r.nextInt(20) == 0 ? 66000 + r.nextInt(5000) : r.nextInt(1000);
            default: return r.nextInt(300);
        }
    }

    private static byte[] frame(Random r, boolean fin, int opcode, byte[] payload, boolean masked) {
        byte[] key = null;
        if (masked) {
            key = new byte[4];
            r.nextBytes(key);
        }
        return Wire.frame(fin, 0, opcode, payload, key);
    }

    // ------------------------------------------------------------------ feeding

    /** What one run produced. */
    record Run(List<String> events, byte[] output, List<Long> credits, List<String> frames) {}

    private static Run run(Connection.Role role, Script s, long seed, byte[] wire, Random chop, int strategy) {
        RecordingListener listener = new RecordingListener();
        RecordingOutput out = new RecordingOutput();
        // Mask keys drawn from a seeded source, so a client's output bytes can be compared too.
        Random keys = new Random(seed ^ 0x5DEECE66DL);
        SecureRandom random = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                keys.nextBytes(bytes);
            }
        };
        Connection c = new Connection(role, s.maxMessageSize, s.maxFrameSize, MaskKeySource.of(random), listener, out);
        byte[] copy = wire.clone(); // the connection unmasks in place
        if (strategy == 0) {
            feed(c, ByteBuffer.wrap(copy));
        } else if (strategy == 1) {
            for (int i = 0; i < copy.length; i++) {
                feed(c, ByteBuffer.wrap(copy, i, 1).slice());
            }
        } else {
            int pos = 0;
            while (pos < copy.length) {
                int n = Math.min(copy.length - pos, piece(chop));
                ByteBuffer in;
                switch (chop.nextInt(4)) {
                    case 0: in = ByteBuffer.allocateDirect(n).put(copy, pos, n).flip(); break;
                    case 1: in = ByteBuffer.wrap(copy, pos, n).asReadOnlyBuffer(); break;
                    case 2: in = ByteBuffer.wrap(copy, pos, n).slice(); break;
                    default: in = ByteBuffer.wrap(copy, pos, n); break; // position > 0 in a shared array
                }
                feed(c, in);
                pos += n;
            }
        }
        return new Run(listener.events, out.bytes(), out.credits, out.described());
    }

    private static int piece(Random r) {
        switch (r.nextInt(4)) {
            case 0: return 1;
            case 1: return 1 + r.nextInt(8);
            case 2: return 1 + r.nextInt(200);
            default: return 1 + r.nextInt(20000);
        }
    }

    private static void feed(Connection c, ByteBuffer in) {
        c.receive(in);
        assertThat(in.hasRemaining()).as("receive consumes everything").isFalse();
    }

    /** Equal lists, or a short message naming the first difference (events can be huge). */
    private static void sameList(String what, List<String> actual, List<String> expected) {
        int n = Math.min(actual.size(), expected.size());
        for (int i = 0; i <= n; i++) {
            if (i == n) {
                if (actual.size() != expected.size()) {
                    throw new AssertionError(what + ": " + actual.size() + " items, expected " + expected.size()
                            + "; next actual " + shorten(actual, n) + ", next expected " + shorten(expected, n));
                }
                return;
            }
            if (!actual.get(i).equals(expected.get(i))) {
                throw new AssertionError(what + ": item " + i + " differs: " + shorten(actual, i)
                        + " vs expected " + shorten(expected, i));
            }
        }
    }

    private static String shorten(List<String> list, int i) {
        if (i >= list.size()) {
            return "(none)";
        }
        String e = list.get(i);
        return e.length() <= 100 ? e : e.substring(0, 100) + "...(" + e.length() + " chars)";
    }

    private static void check(Connection.Role receiver, long seed) {
        Random r = new Random(seed);
        Script s = generate(receiver, r);
        byte[] wire = s.wire.toByteArray();
        String at = "seed " + seed + " (" + receiver + " receiving " + wire.length + " bytes"
                + (s.corrupted ? ", corrupted or limited" : "") + ")";

        Run whole = run(receiver, s, seed, wire, r, 0);
        if (!s.corrupted) {
            sameList(at + " events, whole input vs script", whole.events(), s.events);
            sameList(at + " output, whole input vs script", whole.frames(), s.output);
            assertThat(whole.credits()).as(at + " credits").hasSize(s.output.size()).allMatch(c -> c == 0L);
        }
        List<Run> others = new ArrayList<>();
        others.add(run(receiver, s, seed, wire, r, 1));
        others.add(run(receiver, s, seed, wire, r, 2));
        others.add(run(receiver, s, seed, wire, r, 2));
        for (Run o : others) {
            sameList(at + " events, chopped vs whole", o.events(), whole.events());
            assertThat(o.output()).as(at + " output bytes").isEqualTo(whole.output());
            assertThat(o.credits()).as(at + " credits").isEqualTo(whole.credits());
        }
    }
}
