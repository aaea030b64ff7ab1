package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.Connection.Role.CLIENT;
import static dev.duplex.internal.protocol.Connection.Role.SERVER;
import static dev.duplex.internal.protocol.Wire.closePayload;
import static dev.duplex.internal.protocol.Wire.concat;
import static dev.duplex.internal.protocol.Wire.hex;
import static dev.duplex.internal.protocol.Wire.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Connection}: RFC 6455 §5.7's examples, every failure rule, control frames, closing, sending. */
class ConnectionTest {

    // ================================================================== RFC 6455 §5.7

    @Test
    void rfcSingleFrameUnmaskedTextAtAClient() {
        Endpoint c = Endpoint.client().receive(hex("810548656c6c6f"));
        assertThat(c.events.events).containsExactly("text Hello");
        assertThat(c.out.writes()).isZero();
    }

    @Test
    void rfcSingleFrameMaskedTextAtAServer() {
        Endpoint s = Endpoint.server().receive(hex("818537fa213d7f9f4d5158"));
        assertThat(s.events.events).containsExactly("text Hello");
        assertThat(s.out.writes()).isZero();
    }

    @Test
    void rfcFragmentedUnmaskedTextAtAClient() {
        Endpoint c = Endpoint.client().receive(hex("010348656c"));
        assertThat(c.events.events).isEmpty();
        c.receive(hex("80026c6f"));
        assertThat(c.events.events).containsExactly("text Hello");
    }

    @Test
    void rfcUnmaskedPingAtAClientIsAnsweredWithAMaskedPong() {
        Endpoint c = Endpoint.client().receive(hex("890548656c6c6f"));
        assertThat(c.events.events).containsExactly("ping 48656c6c6f");
        Wire.Parsed pong = c.lastFrame();
        assertThat(c.frames()).hasSize(1);
        assertThat(pong.opcode()).isEqualTo(Opcode.PONG);
        c.assertMaskedByRole(pong);
        assertThat(pong.payload()).isEqualTo(utf8("Hello"));
        assertThat(c.out.credits).containsExactly(0L);
    }

    @Test
    void rfcMaskedPongAtAServerIsReportedAndNotAnswered() {
        Endpoint s = Endpoint.server().receive(hex("8a8537fa213d7f9f4d5158"));
        assertThat(s.events.events).containsExactly("pong 48656c6c6f");
        assertThat(s.out.writes()).isZero();
    }

    @Test
    void rfc256ByteAnd64KiBBinaryAtAClient() {
        byte[] p256 = Wire.filled(256, 3);
        byte[] p64k = Wire.filled(65536, 4);
        Endpoint c = Endpoint.client().receive(concat(hex("827E0100"), p256), concat(hex("827F0000000000010000"), p64k));
        assertThat(c.events.binaries).hasSize(2);
        assertThat(c.events.binaries.get(0)).isEqualTo(p256);
        assertThat(c.events.binaries.get(1)).isEqualTo(p64k);
    }

    @Test
    void rfcExamplesByteByByte() {
        Endpoint c = Endpoint.client()
                .receiveByteByByte(hex("810548656c6c6f"))
                .receiveByteByByte(hex("010348656c80026c6f"))
                .receiveByteByByte(hex("890548656c6c6f"))
                .receiveByteByByte(concat(hex("827E0100"), Wire.filled(256, 3)));
        assertThat(c.events.events).containsExactly("text Hello", "text Hello", "ping 48656c6c6f",
                "binary " + hex(Wire.filled(256, 3)));
        Endpoint s = Endpoint.server()
                .receiveByteByByte(hex("818537fa213d7f9f4d5158"))
                .receiveByteByByte(hex("8a8537fa213d7f9f4d5158"));
        assertThat(s.events.events).containsExactly("text Hello", "pong 48656c6c6f");
    }

    /** A "random" source that always yields the RFC's example key 37 fa 21 3d. */
    private static SecureRandom rfcKey() {
        return new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                byte[] key = hex("37fa213d");
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = key[i & 3];
                }
            }
        };
    }

    @Test
    void rfcMaskedExamplesAreWhatAClientSends() {
        Endpoint c = new Endpoint(CLIENT, Long.MAX_VALUE, Long.MAX_VALUE, rfcKey());
        c.conn.sendMessage(true, utf8("Hello"));
        assertThat(c.out.bytes()).isEqualTo(hex("818537fa213d7f9f4d5158"));
        // The automatic answer to the RFC's unmasked ping is the RFC's masked pong.
        c.receive(hex("890548656c6c6f"));
        assertThat(Arrays.copyOfRange(c.out.bytes(), 11, 22)).isEqualTo(hex("8a8537fa213d7f9f4d5158"));
        assertThat(c.out.credits).containsExactly(5L, 0L);
    }

    @Test
    void rfcUnmaskedExamplesAreWhatAServerSends() {
        Endpoint s = Endpoint.server();
        s.conn.sendMessage(true, utf8("Hello"));
        s.conn.sendPing(utf8("Hello"));
        s.conn.sendMessage(false, Wire.filled(256, 1));
        s.conn.sendMessage(false, Wire.filled(65536, 2));
        assertThat(s.out.bytes()).isEqualTo(concat(hex("810548656c6c6f"), hex("890548656c6c6f"),
                hex("827E0100"), Wire.filled(256, 1), hex("827F0000000000010000"), Wire.filled(65536, 2)));
        assertThat(s.out.credits).containsExactly(5L, 0L, 256L, 65536L);
    }

    // ================================================================== failures

    /** Feeds {@code wire}, then checks the failure with {@code code} both ways, and that later input is ignored. */
    private static Endpoint assertFails(Endpoint e, int code, byte[]... wire) {
        e.receive(wire);
        assertFailed(e, code);
        return e;
    }

    static void assertFailed(Endpoint e, int code) {
        assertThat(e.events.errors).as("protocol errors").hasSize(1);
        assertThat(e.events.errors.get(0).closeCode()).as("close code of the ProtocolException").isEqualTo(code);
        assertThat(e.events.events).last().isEqualTo("error " + code);
        // The close frame written: 0x88, length 2, the code (masked by a client).
        Wire.Parsed close = e.lastFrame();
        assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
        e.assertMaskedByRole(close);
        assertThat(close.payload()).as("close payload").isEqualTo(new byte[] {(byte) (code >> 8), (byte) code});
        byte[] raw = e.out.bytes();
        byte[] lastHeader = e.out.headers.get(e.out.headers.size() - 1);
        assertThat(lastHeader[0] & 0xFF).isEqualTo(0x88);
        assertThat(lastHeader[1] & 0x7F).isEqualTo(2);
        if (e.role == SERVER) {
            assertThat(Arrays.copyOfRange(raw, raw.length - 4, raw.length))
                    .isEqualTo(new byte[] {(byte) 0x88, 2, (byte) (code >> 8), (byte) code});
        }
        assertThat(e.out.credits).last().isEqualTo(0L);
        assertThat(e.conn.isOpen()).isFalse();
        assertThat(e.conn.closeSent()).isTrue();
        assertThat(e.conn.isClosed()).isFalse();

        // Everything after the failure is ignored: no more events, nothing more written.
        int events = e.events.events.size();
        int writes = e.out.writes();
        e.receive(e.incoming(Opcode.PING, utf8("p")), e.incoming(Opcode.TEXT, utf8("t")),
                e.incoming(Opcode.CLOSE, closePayload(1000, "")));
        e.receive(hex("ff"));
        assertThat(e.events.events).as("events after the failure").hasSize(events);
        assertThat(e.out.writes()).as("writes after the failure").isEqualTo(writes);
        assertThat(e.conn.sendMessage(true, utf8("x"))).isFalse();
        assertThat(e.conn.close(1000, "")).isFalse();
        assertThat(e.out.writes()).isEqualTo(writes);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void reservedBitsWithoutAnExtensionFail1002(Connection.Role role) {
        for (int rsv : new int[] {4, 2, 1, 7}) {
            Endpoint e = Endpoint.of(role);
            assertFails(e, 1002, e.incoming(true, rsv, Opcode.TEXT, utf8("x")));
            // Fail fast: the first byte is enough.
            Endpoint f = Endpoint.of(role);
            assertFails(f, 1002, new byte[] {(byte) (0x81 | (rsv << 4))});
            // Also on control frames.
            Endpoint g = Endpoint.of(role);
            assertFails(g, 1002, g.incoming(true, rsv, Opcode.PING, new byte[0]));
        }
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void unknownOpcodesFail1002(Connection.Role role) {
        for (int op : new int[] {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
            Endpoint e = Endpoint.of(role);
            assertFails(e, 1002, e.incoming(op, utf8("x")));
            Endpoint f = Endpoint.of(role);
            assertFails(f, 1002, new byte[] {(byte) (0x80 | op)});
        }
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void fragmentedControlFramesFail1002(Connection.Role role) {
        for (int op : new int[] {Opcode.PING, Opcode.PONG, Opcode.CLOSE}) {
            Endpoint e = Endpoint.of(role);
            assertFails(e, 1002, e.incoming(false, 0, op, utf8("x")));
        }
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void controlFramesOver125BytesFail1002(Connection.Role role) {
        for (int op : new int[] {Opcode.PING, Opcode.PONG, Opcode.CLOSE}) {
            Endpoint e = Endpoint.of(role);
            assertFails(e, 1002, e.incoming(op, new byte[126]));
        }
        Endpoint ok = Endpoint.of(role).receive(Endpoint.of(role).incoming(Opcode.PING, new byte[125]));
        assertThat(ok.events.events).containsExactly("ping " + hex(new byte[125]));
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void continuationWithNothingToContinueFails1002(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        assertFails(e, 1002, e.incoming(true, 0, Opcode.CONTINUATION, utf8("x")));
        Endpoint f = Endpoint.of(role);
        assertFails(f, 1002, f.incoming(false, 0, Opcode.CONTINUATION, utf8("x")));
        // After a complete message there is nothing to continue either.
        Endpoint g = Endpoint.of(role);
        g.receive(g.incoming(false, 0, Opcode.TEXT, utf8("a")), g.incoming(true, 0, Opcode.CONTINUATION, utf8("b")));
        assertThat(g.events.events).containsExactly("text ab");
        assertFails(g, 1002, g.incoming(true, 0, Opcode.CONTINUATION, utf8("c")));
        assertThat(g.events.events).containsExactly("text ab", "error 1002");
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void newDataFrameInsideAFragmentedMessageFails1002(Connection.Role role) {
        int[][] pairs = {{Opcode.TEXT, Opcode.TEXT}, {Opcode.TEXT, Opcode.BINARY}, {Opcode.BINARY, Opcode.TEXT},
            {Opcode.BINARY, Opcode.BINARY}};
        for (int[] p : pairs) {
            Endpoint e = Endpoint.of(role);
            e.receive(e.incoming(false, 0, p[0], utf8("a")));
            assertThat(e.events.events).isEmpty();
            assertFails(e, 1002, e.incoming(true, 0, p[1], utf8("b")));
            assertThat(e.events.events).containsExactly("error 1002");
        }
    }

    @Test
    void unmaskedFrameAtAServerFails1002() {
        Endpoint s = Endpoint.server();
        assertFails(s, 1002, hex("810548656c6c6f"));
        assertFails(Endpoint.server(), 1002, hex("8900"));
        assertFails(Endpoint.server(), 1002, hex("8805")); // header alone suffices
    }

    @Test
    void maskedFrameAtAClientFails1002() {
        assertFails(Endpoint.client(), 1002, hex("818537fa213d7f9f4d5158"));
        assertFails(Endpoint.client(), 1002, hex("8a8537fa213d7f9f4d5158"));
        assertFails(Endpoint.client(), 1002, hex("828037fa213d"));
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void oneByteClosePayloadFails1002(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        assertFails(e, 1002, e.incoming(Opcode.CLOSE, new byte[] {3}));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void closeCodesOutsideTheValidRangesFail1002(int code) {
        for (Connection.Role role : Connection.Role.values()) {
            Endpoint e = Endpoint.of(role);
            assertFails(e, 1002, e.incoming(Opcode.CLOSE, closePayload(code, "")));
            assertThat(e.events.events).containsExactly("error 1002");
            Endpoint f = Endpoint.of(role);
            assertFails(f, 1002, f.incoming(Opcode.CLOSE, closePayload(code, "why")));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    void validCloseCodesAreAcceptedAndEchoed(int code) {
        for (Connection.Role role : Connection.Role.values()) {
            Endpoint e = Endpoint.of(role);
            e.receive(e.incoming(Opcode.CLOSE, closePayload(code, "r\u00e9son")));
            assertThat(e.events.events).containsExactly("close " + code + " r\u00e9son");
            assertThat(e.frames()).hasSize(1);
            Wire.Parsed echo = e.lastFrame();
            assertThat(echo.opcode()).isEqualTo(Opcode.CLOSE);
            e.assertMaskedByRole(echo);
            assertThat(echo.closeCode()).isEqualTo(code);
            assertThat(echo.payload()).isEqualTo(closePayload(code, "r\u00e9son"));
            assertThat(e.conn.isClosed()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ff", "c3", "eda080", "c080", "41f09f98", "80"})
    void closeReasonThatIsNotUtf8Fails1002(String reason) {
        for (Connection.Role role : Connection.Role.values()) {
            Endpoint e = Endpoint.of(role);
            assertFails(e, 1002, e.incoming(Opcode.CLOSE, concat(hex("03e8"), hex(reason))));
            assertThat(e.events.events).containsExactly("error 1002");
        }
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void sixtyFourBitLengthWithTheTopBitSetFails1002(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        byte[] header = role == SERVER ? hex("82FF8000000000000000 37fa213d") : hex("827F8000000000000000");
        assertFails(e, 1002, header);
        Endpoint f = Endpoint.of(role);
        assertFails(f, 1002, role == SERVER ? hex("82FFFFFFFFFFFFFFFFFF 37fa213d") : hex("827FFFFFFFFFFFFFFFFF"));
    }

    // ------------------------------------------------------------------ UTF-8: 1007, fail fast

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void invalidUtf8IsReportedAtTheBadByteBeforeTheFrameEnds(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        byte[] payload = concat(utf8("ab"), hex("ff"), utf8("cdefgh"));
        byte[] wire = e.incoming(Opcode.TEXT, payload);
        int header = wire.length - payload.length;
        // Header and the two good bytes: nothing yet.
        e.receiveByteByByte(Arrays.copyOfRange(wire, 0, header + 2));
        assertThat(e.events.events).isEmpty();
        assertThat(e.out.writes()).isZero();
        // The bad byte alone triggers the failure.
        e.receive(Arrays.copyOfRange(wire, header + 2, header + 3));
        assertThat(e.events.events).containsExactly("error 1007");
        assertFailed(e, 1007);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void invalidSequencesFailOnTheirFirstImpossibleByte(Connection.Role role) {
        // {good prefix, the byte that makes it impossible}
        String[][] cases = {{"eda0", "a0"}, {"ed", "a0"}, {"e0", "80"}, {"f0", "80"}, {"f4", "90"}, {"", "c0"},
            {"", "f5"}, {"", "80"}, {"c3", "41"}, {"e282", "41"}, {"f09f98", "c3"}};
        for (String[] c : cases) {
            Endpoint e = Endpoint.of(role);
            byte[] good = hex(c[0]);
            byte[] payload = concat(good, hex(c[1]), utf8("tail..."));
            byte[] wire = e.incoming(Opcode.TEXT, payload);
            int header = wire.length - payload.length;
            // eda0 is already impossible (surrogate): the failure must come at its second byte.
            int expectAt = c[0].equals("eda0") ? header + 1 : header + good.length;
            for (int i = 0; i < wire.length; i++) {
                e.receive(new byte[] {wire[i]});
                if (i < expectAt) {
                    assertThat(e.events.events).as("%s at byte %d", c[0] + c[1], i).isEmpty();
                } else {
                    assertThat(e.events.events).as("%s at byte %d", c[0] + c[1], i).containsExactly("error 1007");
                    break;
                }
            }
            assertFailed(e, 1007);
        }
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void invalidSequenceSpanningTwoFragmentsFailsAtTheFirstByteOfTheSecond(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        e.receive(e.incoming(false, 0, Opcode.TEXT, concat(utf8("ok"), hex("e0"))));
        assertThat(e.events.events).isEmpty();
        byte[] second = e.incoming(true, 0, Opcode.CONTINUATION, concat(hex("80 80"), utf8("more")));
        int header = second.length - 6;
        e.receive(Arrays.copyOfRange(second, 0, header));
        assertThat(e.events.events).isEmpty();
        e.receive(Arrays.copyOfRange(second, header, header + 1));
        assertFailed(e, 1007);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void codePointSplitAcrossFramesIsValid(Connection.Role role) {
        byte[] smile = hex("f09f9880");
        for (int cut = 1; cut < 4; cut++) {
            Endpoint e = Endpoint.of(role);
            e.receive(e.incoming(false, 0, Opcode.TEXT, concat(utf8("a"), Arrays.copyOfRange(smile, 0, cut))),
                    e.incoming(Opcode.PING, utf8("between")),
                    e.incoming(true, 0, Opcode.CONTINUATION, concat(Arrays.copyOfRange(smile, cut, 4), utf8("b"))));
            assertThat(e.events.events).containsExactly("ping " + hex(utf8("between")), "text a\uD83D\uDE00b");
        }
        // Split over three frames, one byte each for the middle.
        Endpoint e = Endpoint.of(role);
        e.receive(e.incoming(false, 0, Opcode.TEXT, hex("e2")), e.incoming(false, 0, Opcode.CONTINUATION, hex("82")),
                e.incoming(true, 0, Opcode.CONTINUATION, hex("ac")));
        assertThat(e.events.texts).containsExactly("\u20ac");
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void textEndingMidSequenceFails1007(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        assertFails(e, 1007, e.incoming(Opcode.TEXT, concat(utf8("ab"), hex("c3"))));
        assertThat(e.events.events).containsExactly("error 1007");
        Endpoint f = Endpoint.of(role);
        f.receive(f.incoming(false, 0, Opcode.TEXT, utf8("ab")));
        assertFails(f, 1007, f.incoming(true, 0, Opcode.CONTINUATION, hex("f09f98")));
        // An empty final fragment after an unfinished sequence.
        Endpoint g = Endpoint.of(role);
        g.receive(g.incoming(false, 0, Opcode.TEXT, hex("e282")));
        assertFails(g, 1007, g.incoming(true, 0, Opcode.CONTINUATION, new byte[0]));
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void binaryIsNotValidatedAsUtf8(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        e.receive(e.incoming(Opcode.BINARY, hex("ffc080eda080")));
        assertThat(e.events.events).containsExactly("binary ffc080eda080");
    }

    @Test
    void utf8StateDoesNotLeakBetweenMessages() {
        // A message after a valid one starts fresh; a binary message in between is not validated.
        Endpoint s = Endpoint.server();
        s.receive(s.incoming(Opcode.TEXT, utf8("\u00e9")), s.incoming(Opcode.BINARY, hex("c3")),
                s.incoming(Opcode.TEXT, utf8("x")));
        assertThat(s.events.events).containsExactly("text \u00e9", "binary c3", "text x");
    }

    // ------------------------------------------------------------------ limits: 1009

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void singleFrameMessageOverTheLimitFails1009FromItsHeader(Connection.Role role) {
        Endpoint ok = new Endpoint(role, 100, Long.MAX_VALUE);
        ok.receive(ok.incoming(Opcode.BINARY, new byte[100]));
        assertThat(ok.events.binaries).hasSize(1);

        Endpoint e = new Endpoint(role, 100, Long.MAX_VALUE);
        byte[] wire = e.incoming(Opcode.BINARY, new byte[101]);
        int header = wire.length - 101;
        e.receive(Arrays.copyOfRange(wire, 0, header));
        assertFailed(e, 1009);

        Endpoint t = new Endpoint(role, 100, Long.MAX_VALUE);
        wire = t.incoming(Opcode.TEXT, new byte[70000]);
        t.receive(Arrays.copyOfRange(wire, 0, wire.length - 70000));
        assertFailed(t, 1009);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void fragmentedMessageOverTheLimitFails1009AtTheFragmentThatCrossesIt(Connection.Role role) {
        Endpoint ok = new Endpoint(role, 100, Long.MAX_VALUE);
        ok.receive(ok.incoming(false, 0, Opcode.TEXT, new byte[60]), ok.incoming(true, 0, Opcode.CONTINUATION, new byte[40]));
        assertThat(ok.events.texts).hasSize(1);

        Endpoint e = new Endpoint(role, 100, Long.MAX_VALUE);
        e.receive(e.incoming(false, 0, Opcode.TEXT, new byte[60]), e.incoming(false, 0, Opcode.CONTINUATION, new byte[30]));
        assertThat(e.events.events).isEmpty();
        byte[] wire = e.incoming(true, 0, Opcode.CONTINUATION, new byte[11]);
        e.receive(Arrays.copyOfRange(wire, 0, wire.length - 11));
        assertFailed(e, 1009);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void controlFramesDoNotCountTowardsTheMessageLimit(Connection.Role role) {
        Endpoint e = new Endpoint(role, 10, Long.MAX_VALUE);
        e.receive(e.incoming(false, 0, Opcode.BINARY, new byte[5]), e.incoming(Opcode.PING, new byte[100]),
                e.incoming(true, 0, Opcode.CONTINUATION, new byte[5]));
        assertThat(e.events.events).hasSize(2);
        assertThat(e.events.binaries.get(0)).hasSize(10);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void frameOverMaxFrameSizeFails1009(Connection.Role role) {
        Endpoint ok = new Endpoint(role, Long.MAX_VALUE, 50);
        ok.receive(ok.incoming(false, 0, Opcode.BINARY, new byte[50]), ok.incoming(true, 0, Opcode.CONTINUATION, new byte[50]));
        assertThat(ok.events.binaries.get(0)).hasSize(100);

        Endpoint e = new Endpoint(role, Long.MAX_VALUE, 50);
        byte[] wire = e.incoming(Opcode.BINARY, new byte[51]);
        e.receive(Arrays.copyOfRange(wire, 0, wire.length - 51));
        assertFailed(e, 1009);
    }

    // ------------------------------------------------------------------ fail() from outside

    @Test
    void failFromOutsideWritesTheCloseOnceAndReportsOnce() {
        Endpoint s = Endpoint.server();
        s.conn.fail(new ProtocolException(1008, "policy"));
        assertFailed(s, 1008);
        s.conn.fail(new ProtocolException(1011, "again"));
        assertThat(s.events.errors).hasSize(1);
        assertThat(s.frames()).hasSize(1);
    }

    @Test
    void failAfterOurCloseReportsWithoutASecondCloseFrame() {
        Endpoint c = Endpoint.client();
        c.conn.close(1000, "");
        c.receive(c.incoming(Opcode.CLOSE, hex("03")));
        assertThat(c.events.events).containsExactly("error 1002");
        assertThat(c.frames()).hasSize(1);
        assertThat(c.lastFrame().closeCode()).isEqualTo(1000);
    }

    // ================================================================== pings and pongs

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void pingsAreAnsweredWithTheSamePayload(Connection.Role role) {
        for (byte[] payload : List.of(new byte[0], utf8("Hello"), Wire.filled(125, 9))) {
            Endpoint e = Endpoint.of(role);
            e.receive(e.incoming(Opcode.PING, payload));
            assertThat(e.events.events).containsExactly("ping " + hex(payload));
            assertThat(e.frames()).hasSize(1);
            Wire.Parsed pong = e.lastFrame();
            assertThat(pong.opcode()).isEqualTo(Opcode.PONG);
            e.assertMaskedByRole(pong);
            assertThat(pong.payload()).isEqualTo(payload);
            assertThat(e.out.credits).containsExactly(0L);
            if (payload.length == 0) {
                assertThat(e.out.nullPayloads).isEqualTo(1);
            }
            if (role == SERVER) {
                assertThat(e.out.bytes()).isEqualTo(Wire.frame(true, 0, Opcode.PONG, payload, null));
            }
        }
    }

    @Test
    void aServerSendsBytesThatNeverChangeWithoutACopyAndAClientMasksACopy() {
        byte[] whole = Wire.filled(1000, 7);
        byte[] original = whole.clone();

        Endpoint server = Endpoint.of(SERVER);
        assertThat(server.conn.sendMessageUnchanging(false, whole, 0, whole.length)).isTrue();
        assertThat(server.out.payloadArrays.get(0)).isSameAs(whole);
        assertThat(server.lastFrame().payload()).isEqualTo(original);
        // Part of an array cannot go out as the frame's array: it is copied.
        assertThat(server.conn.sendMessageUnchanging(true, whole, 10, 100)).isTrue();
        assertThat(server.out.payloadArrays.get(1)).isNotSameAs(whole).hasSize(100);
        assertThat(server.lastFrame().payload()).isEqualTo(Arrays.copyOfRange(original, 10, 110));

        Endpoint client = Endpoint.of(CLIENT);
        assertThat(client.conn.sendMessageUnchanging(false, whole, 0, whole.length)).isTrue();
        assertThat(client.out.payloadArrays.get(0)).isNotSameAs(whole);
        client.assertMaskedByRole(client.lastFrame());
        assertThat(client.lastFrame().payload()).isEqualTo(original);
        assertThat(whole).as("the caller's bytes, unmasked").isEqualTo(original);
    }

    // The control payload buffer is made for the first control frame that has a payload and then
    // reused: an empty ping after a full one must not see the earlier bytes.
    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void pingsOfEveryLengthInARowOnOneConnectionAreEachAnsweredWithTheirOwnPayload(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        List<byte[]> payloads = List.of(new byte[0], Wire.filled(125, 9), new byte[0], utf8("Hi"),
                Wire.filled(125, 3), utf8("x"));
        for (byte[] payload : payloads) {
            e.receive(e.incoming(Opcode.PING, payload));
            Wire.Parsed pong = e.lastFrame();
            assertThat(pong.opcode()).isEqualTo(Opcode.PONG);
            assertThat(pong.payload()).isEqualTo(payload);
        }
        assertThat(e.frames()).hasSize(payloads.size());
    }

    @Test
    void clientPingListenerSeesThePayloadUnmasked() {
        // The pong is masked on its way out; the payload given to onPing must not be.
        Endpoint c = Endpoint.client();
        c.receive(hex("890548656c6c6f"), hex("8903616263"));
        assertThat(c.events.events).containsExactly("ping 48656c6c6f", "ping 616263");
        assertThat(c.frames()).extracting(Wire.Parsed::text).containsExactly("Hello", "abc");
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void unsolicitedPongsAreReportedAndNotAnswered(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        e.receive(e.incoming(Opcode.PONG, utf8("beat")), e.incoming(Opcode.PONG, new byte[0]));
        assertThat(e.events.events).containsExactly("pong " + hex(utf8("beat")), "pong ");
        assertThat(e.out.writes()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void controlFramesInsideAFragmentedMessage(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        e.receive(e.incoming(false, 0, Opcode.TEXT, utf8("Hel")),
                e.incoming(Opcode.PING, utf8("p1")),
                e.incoming(false, 0, Opcode.CONTINUATION, new byte[0]),
                e.incoming(Opcode.PONG, utf8("q")),
                e.incoming(Opcode.PING, new byte[0]),
                e.incoming(true, 0, Opcode.CONTINUATION, utf8("lo")));
        assertThat(e.events.events).containsExactly("ping 7031", "pong 71", "ping ", "text Hello");
        assertThat(e.frames()).extracting(Wire.Parsed::opcode).containsExactly(Opcode.PONG, Opcode.PONG);
        assertThat(e.frames()).extracting(Wire.Parsed::text).containsExactly("p1", "");

        Endpoint b = Endpoint.of(role);
        byte[] big = Wire.filled(70000, 1);
        b.receive(b.incoming(false, 0, Opcode.BINARY, Arrays.copyOfRange(big, 0, 1000)),
                b.incoming(Opcode.PING, utf8("x")),
                b.incoming(true, 0, Opcode.CONTINUATION, Arrays.copyOfRange(big, 1000, big.length)));
        assertThat(b.events.binaries).hasSize(1);
        assertThat(b.events.binaries.get(0)).isEqualTo(big);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void closeInsideAFragmentedMessageDropsTheMessage(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        e.receive(e.incoming(false, 0, Opcode.TEXT, utf8("Hel")), e.incoming(Opcode.CLOSE, closePayload(1001, "bye")));
        assertThat(e.events.events).containsExactly("close 1001 bye");
        assertThat(e.lastFrame().closeCode()).isEqualTo(1001);
    }

    @Test
    void emptyMessages() {
        Endpoint s = Endpoint.server();
        s.receive(s.incoming(Opcode.TEXT, new byte[0]), s.incoming(Opcode.BINARY, new byte[0]),
                s.incoming(false, 0, Opcode.TEXT, new byte[0]), s.incoming(true, 0, Opcode.CONTINUATION, new byte[0]));
        assertThat(s.events.events).containsExactly("text ", "binary ", "text ");
    }

    @Test
    void deliveredArraysAreIndependent() {
        Endpoint c = Endpoint.client();
        c.receive(c.incoming(Opcode.BINARY, hex("0102")), c.incoming(Opcode.BINARY, hex("0304")));
        assertThat(c.events.binaries.get(0)).isEqualTo(hex("0102"));
        assertThat(c.events.binaries.get(1)).isEqualTo(hex("0304"));
    }

    // ================================================================== closing handshake

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void receivedCloseIsEchoedWithItsCodeAndReason(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        e.receive(e.incoming(Opcode.CLOSE, closePayload(1000, "done")));
        assertThat(e.events.events).containsExactly("close 1000 done");
        assertThat(e.frames()).hasSize(1);
        Wire.Parsed echo = e.lastFrame();
        assertThat(echo.opcode()).isEqualTo(Opcode.CLOSE);
        e.assertMaskedByRole(echo);
        assertThat(echo.payload()).isEqualTo(closePayload(1000, "done"));
        if (role == SERVER) {
            assertThat(e.out.bytes()).isEqualTo(hex("880603e8646f6e65"));
        }
        assertThat(e.out.credits).containsExactly(0L);
        assertThat(e.conn.isClosed()).isTrue();
        assertThat(e.conn.isOpen()).isFalse();
        assertThat(e.conn.closeSent()).isTrue();
        // Closed: nothing more is sent or reported.
        assertThat(e.conn.sendMessage(true, utf8("late"))).isFalse();
        assertThat(e.conn.sendPing(new byte[0])).isFalse();
        assertThat(e.conn.close(1000, "")).isFalse();
        e.receive(e.incoming(Opcode.PING, new byte[0]), e.incoming(Opcode.PONG, new byte[0]));
        assertThat(e.events.events).hasSize(1);
        assertThat(e.out.writes()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void emptyCloseIsReportedAs1005AndEchoedEmpty(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        e.receive(e.incoming(Opcode.CLOSE, new byte[0]));
        assertThat(e.events.events).containsExactly("close 1005 ");
        Wire.Parsed echo = e.lastFrame();
        assertThat(echo.opcode()).isEqualTo(Opcode.CLOSE);
        e.assertMaskedByRole(echo);
        assertThat(echo.payload()).isEmpty();
        assertThat(e.out.nullPayloads).isEqualTo(1);
        if (role == SERVER) {
            assertThat(e.out.bytes()).isEqualTo(hex("8800"));
        } else {
            assertThat(e.out.bytes()).hasSize(6);
            assertThat(e.out.bytes()[1] & 0xFF).isEqualTo(0x80);
        }
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void afterOurCloseDataIsDiscardedUntilThePeersClose(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        assertThat(e.conn.close(4000, "bye now")).isTrue();
        assertThat(e.frames()).hasSize(1);
        Wire.Parsed ours = e.lastFrame();
        e.assertMaskedByRole(ours);
        assertThat(ours.opcode()).isEqualTo(Opcode.CLOSE);
        assertThat(ours.payload()).isEqualTo(closePayload(4000, "bye now"));
        assertThat(e.out.credits).containsExactly(0L);
        assertThat(e.conn.isOpen()).isFalse();
        assertThat(e.conn.closeSent()).isTrue();
        assertThat(e.conn.isClosed()).isFalse();

        e.receive(e.incoming(Opcode.TEXT, utf8("ignored")), e.incoming(Opcode.BINARY, hex("0102")),
                e.incoming(false, 0, Opcode.TEXT, utf8("frag")), e.incoming(true, 0, Opcode.CONTINUATION, utf8("ment")));
        assertThat(e.events.events).isEmpty();
        assertThat(e.frames()).hasSize(1);

        e.receive(e.incoming(Opcode.CLOSE, closePayload(1000, "ok")));
        assertThat(e.events.events).containsExactly("close 1000 ok");
        assertThat(e.frames()).as("no second close frame").hasSize(1);
        assertThat(e.conn.isClosed()).isTrue();

        e.receive(e.incoming(Opcode.PING, utf8("after")), e.incoming(Opcode.CLOSE, new byte[0]));
        assertThat(e.events.events).hasSize(1);
        assertThat(e.frames()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void discardedDataIsStillParsedForFraming(Connection.Role role) {
        // While closing, frames are still checked: a continuation with nothing to continue fails.
        Endpoint e = Endpoint.of(role);
        e.conn.close(1000, "");
        e.receive(e.incoming(true, 0, Opcode.CONTINUATION, utf8("x")));
        assertThat(e.events.events).containsExactly("error 1002");
        assertThat(e.frames()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void aMessageInProgressWhenWeCloseIsDiscarded(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        e.receive(e.incoming(false, 0, Opcode.TEXT, utf8("Hel")));
        e.conn.close(1000, "");
        e.receive(e.incoming(true, 0, Opcode.CONTINUATION, utf8("lo")));
        assertThat(e.events.events).isEmpty();

        // The same for a single frame whose payload is still arriving.
        Endpoint f = Endpoint.of(role);
        byte[] wire = f.incoming(Opcode.BINARY, Wire.filled(20, 0));
        f.receive(Arrays.copyOfRange(wire, 0, wire.length - 10));
        f.conn.close(1000, "");
        f.receive(Arrays.copyOfRange(wire, wire.length - 10, wire.length));
        assertThat(f.events.events).isEmpty();
        f.receive(f.incoming(Opcode.CLOSE, closePayload(1000, "")));
        assertThat(f.events.events).containsExactly("close 1000 ");
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void controlFramesAfterThePeersCloseAreIgnored(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        e.receive(e.incoming(Opcode.CLOSE, closePayload(1000, "")), e.incoming(Opcode.PING, utf8("p")),
                e.incoming(Opcode.PONG, utf8("q")));
        assertThat(e.events.events).containsExactly("close 1000 ");
        assertThat(e.frames()).as("the close echo only: no pong after our close").hasSize(1);
        assertThat(e.conn.isClosed()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void aDataFrameAfterThePeersCloseFails1002WithoutASecondCloseFrame(Connection.Role role) {
        // RFC 6455 section 5.5.1: nothing may follow a close frame; Chromium fails the connection
        // ("Data frame received after close"). Our close echo is already out, so none follows.
        Endpoint e = Endpoint.of(role);
        e.receive(e.incoming(Opcode.CLOSE, closePayload(1000, "")), e.incoming(Opcode.TEXT, utf8("after")),
                e.incoming(Opcode.PING, utf8("p")), hex("ff"));
        assertThat(e.events.events).containsExactly("close 1000 ", "error 1002");
        assertThat(e.events.errors.get(0).getMessage()).contains("TEXT frame after the peer's close frame");
        assertThat(e.frames()).hasSize(1);
        e.receive(e.incoming(Opcode.TEXT, utf8("later")));
        assertThat(e.events.events).as("nothing is read after the failure").hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void aHeldViolationStopsReadingButNotSendingUntilFail(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        java.util.List<ProtocolException> held = new java.util.ArrayList<>();
        e.events.onViolation = held::add;
        e.conn.holdCloseAfterViolation(true);
        e.receive(e.incoming(Opcode.TEXT, utf8("valid")), e.incoming(true, 0, 5, new byte[0]), e.incoming(Opcode.TEXT, utf8("x")));
        assertThat(e.events.events).containsExactly("text valid");
        assertThat(held).singleElement().satisfies(v -> assertThat(v.closeCode()).isEqualTo(1002));
        assertThat(e.conn.sendMessage(true, utf8("echo"))).as("replies still go out").isTrue();
        e.conn.fail(held.get(0));
        assertThat(e.events.events).containsExactly("text valid", "error 1002");
        assertThat(e.frames()).extracting(Wire.Parsed::opcode).containsExactly(Opcode.TEXT, Opcode.CLOSE);
        assertThat(e.conn.sendMessage(true, utf8("late"))).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void sendingAfterCloseIsRefused(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        assertThat(e.conn.close(1000, "")).isTrue();
        int writes = e.out.writes();
        assertThat(e.conn.sendMessage(true, utf8("x"))).isFalse();
        assertThat(e.conn.sendMessage(false, new byte[3])).isFalse();
        assertThat(e.conn.sendPing(utf8("x"))).isFalse();
        assertThat(e.conn.sendPong(utf8("x"))).isFalse();
        assertThat(e.conn.close(1000, "")).as("close twice").isFalse();
        assertThat(e.conn.close(1001, "other")).isFalse();
        assertThat(e.out.writes()).isEqualTo(writes);
        // A ping during the closing handshake is not answered after our close.
        e.receive(e.incoming(Opcode.PING, utf8("p")));
        assertThat(e.out.writes()).isEqualTo(writes);
    }

    @ParameterizedTest
    @EnumSource(Connection.Role.class)
    void closeWithNoStatusSendsAnEmptyClose(Connection.Role role) {
        Endpoint e = Endpoint.of(role);
        e.conn.close(CloseCodes.NO_STATUS, "ignored");
        assertThat(e.lastFrame().payload()).isEmpty();
        assertThat(e.out.nullPayloads).isEqualTo(1);
    }

    @Test
    void closeReasonOfAtMost123Bytes() {
        Endpoint s = Endpoint.server();
        String max = "r".repeat(123);
        assertThat(s.conn.close(1000, max)).isTrue();
        assertThat(s.lastFrame().payload()).isEqualTo(closePayload(1000, max));

        // Too long: rejected, and the connection stays open so a valid close can follow.
        Endpoint t = Endpoint.server();
        assertThatThrownBy(() -> t.conn.close(1000, "\u00e9".repeat(62))).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.out.writes()).isZero();
        assertThat(t.conn.isOpen()).isTrue();
        assertThat(t.conn.sendMessage(true, utf8("still open"))).isTrue();
        assertThat(t.conn.close(1000, "ok")).isTrue();
        assertThat(t.lastFrame().closeCode()).isEqualTo(1000);
    }

    // ================================================================== sending

    @Test
    void serverSendsUnmaskedFrames() {
        Endpoint s = Endpoint.server();
        assertThat(s.conn.sendMessage(true, utf8("Hello"))).isTrue();
        assertThat(s.out.bytes()).isEqualTo(hex("810548656c6c6f"));
        assertThat(s.conn.sendMessage(false, hex("0102"))).isTrue();
        assertThat(s.conn.sendPing(utf8("Hello"))).isTrue();
        assertThat(s.conn.sendPong(utf8("Hello"))).isTrue();
        assertThat(s.out.bytes()).isEqualTo(hex("810548656c6c6f 8202 0102 890548656c6c6f 8a0548656c6c6f"));
        assertThat(s.out.credits).containsExactly(5L, 2L, 0L, 0L);
    }

    @Test
    void clientSendsMaskedFramesWithAFreshKeyEachTime() {
        Endpoint c = Endpoint.client();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            assertThat(c.conn.sendMessage(i % 2 == 0, utf8("Hello"))).isTrue();
        }
        List<Wire.Parsed> frames = c.frames();
        assertThat(frames).hasSize(200);
        for (int i = 0; i < frames.size(); i++) {
            Wire.Parsed f = frames.get(i);
            assertThat(f.masked()).isTrue();
            assertThat(f.opcode()).isEqualTo(i % 2 == 0 ? Opcode.TEXT : Opcode.BINARY);
            assertThat(f.text()).isEqualTo("Hello");
            keys.add(hex(f.key()));
        }
        // 200 keys from a SecureRandom: a repeat is a 1-in-200-million event.
        assertThat(keys).hasSize(200);
        // The bytes on the wire really are masked.
        byte[] raw = c.out.bytes();
        assertThat(Arrays.copyOfRange(raw, 6, 11)).isNotEqualTo(utf8("Hello"));
    }

    @Test
    void clientMaskKeysComeFromTheGivenRandom() {
        // Emits the 32-bit words A5000000, A5000001, ... so that every key is different and known.
        SecureRandom counting = new SecureRandom() {
            private int word;
            private int index;

            @Override
            public void nextBytes(byte[] bytes) {
                for (int i = 0; i < bytes.length; i++) {
                    int w = 0xA5000000 | word;
                    bytes[i] = (byte) (w >>> (24 - 8 * index));
                    if (++index == 4) {
                        index = 0;
                        word++;
                    }
                }
            }
        };
        Endpoint c = new Endpoint(CLIENT, Long.MAX_VALUE, Long.MAX_VALUE, counting);
        c.conn.sendMessage(true, utf8("Hello"));
        c.conn.sendPing(utf8("x"));
        c.conn.close(1000, "");
        List<Wire.Parsed> f = c.frames();
        assertThat(hex(f.get(0).key())).isEqualTo("a5000000");
        assertThat(hex(f.get(1).key())).isEqualTo("a5000001");
        assertThat(hex(f.get(2).key())).isEqualTo("a5000002");
        // Exact bytes: header, key, "Hello" XOR A5 00 00 00.
        assertThat(Arrays.copyOfRange(c.out.bytes(), 0, 11)).isEqualTo(hex("8185 a5000000 ed656c6cca"));
        // Keys keep coming, all different, after the first batch of random bytes is used up.
        Endpoint d = new Endpoint(CLIENT, Long.MAX_VALUE, Long.MAX_VALUE, counting);
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            d.conn.sendPing(new byte[0]);
        }
        for (Wire.Parsed p : d.frames()) {
            keys.add(hex(p.key()));
        }
        assertThat(keys).hasSize(100);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 100000})
    void lengthEncodingsAndCredit(int n) {
        for (Connection.Role role : Connection.Role.values()) {
            for (boolean text : new boolean[] {true, false}) {
                Endpoint e = Endpoint.of(role);
                byte[] payload = text ? utf8("a".repeat(n)) : Wire.filled(n, 5);
                byte[] expected = payload.clone();
                assertThat(e.conn.sendMessage(text, payload)).isTrue();
                Wire.Parsed f = e.lastFrame();
                e.assertMaskedByRole(f);
                assertThat(f.opcode()).isEqualTo(text ? Opcode.TEXT : Opcode.BINARY);
                assertThat(f.lengthBytes()).isEqualTo(n <= 125 ? 0 : n <= 65535 ? 2 : 8);
                assertThat(f.payload()).isEqualTo(expected);
                assertThat(e.out.credits).containsExactly((long) n);
                byte[] header = e.out.headers.get(0);
                assertThat(header).hasSize((n <= 125 ? 2 : n <= 65535 ? 4 : 10) + (role == CLIENT ? 4 : 0));
                int len7 = header[1] & 0x7F;
                assertThat(len7).isEqualTo(n <= 125 ? n : n <= 65535 ? 126 : 127);
                if (n == 0) {
                    assertThat(e.out.nullPayloads).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void controlFramesCarryNoCredit() {
        Endpoint c = Endpoint.client();
        c.conn.sendPing(utf8("ping"));
        c.conn.sendPong(utf8("pong"));
        c.receive(c.incoming(Opcode.PING, utf8("auto")));
        c.conn.close(1000, "bye");
        assertThat(c.out.credits).containsExactly(0L, 0L, 0L, 0L);
        assertThat(c.frames()).extracting(Wire.Parsed::opcode)
                .containsExactly(Opcode.PING, Opcode.PONG, Opcode.PONG, Opcode.CLOSE);
    }

    @Test
    void pingAndPongPayloadsAreCopied() {
        Endpoint c = Endpoint.client();
        byte[] p = utf8("keep");
        c.conn.sendPing(p);
        c.conn.sendPong(p);
        assertThat(p).isEqualTo(utf8("keep"));
        assertThat(c.frames()).extracting(Wire.Parsed::text).containsExactly("keep", "keep");
    }

    @Test
    void controlPayloadsOver125BytesAreRejected() {
        Endpoint s = Endpoint.server();
        assertThatThrownBy(() -> s.conn.sendPing(new byte[126])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.conn.sendPong(new byte[126])).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.out.writes()).isZero();
        assertThat(s.conn.sendPing(new byte[125])).isTrue();
    }

    @Test
    void clientToServerRoundTrip() {
        Endpoint c = Endpoint.client();
        Endpoint s = Endpoint.server();
        c.conn.sendMessage(true, utf8("h\u00e9llo \uD83D\uDE00"));
        c.conn.sendMessage(false, Wire.filled(70000, 1));
        c.conn.sendPing(utf8("p"));
        c.conn.close(1000, "bye");
        s.receive(c.out.bytes());
        assertThat(s.events.events).containsExactly("text h\u00e9llo \uD83D\uDE00",
                "binary " + hex(Wire.filled(70000, 1)), "ping 70", "close 1000 bye");
        c.receive(s.out.bytes());
        assertThat(c.events.events).containsExactly("pong 70", "close 1000 bye");
        assertThat(c.conn.isClosed()).isTrue();
        assertThat(s.conn.isClosed()).isTrue();
    }

    @Test
    void roleIsReported() {
        assertThat(Endpoint.client().conn.role()).isEqualTo(CLIENT);
        assertThat(Endpoint.server().conn.role()).isEqualTo(SERVER);
    }
}
