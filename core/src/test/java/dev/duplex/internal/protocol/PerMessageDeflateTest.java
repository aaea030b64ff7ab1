package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.Wire.hex;
import static dev.duplex.internal.protocol.Wire.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.internal.protocol.PerMessageDeflate.Config;
import dev.duplex.internal.protocol.PerMessageDeflate.Params;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PerMessageDeflate}: RFC 7692 §7.2.3's byte examples, offer building, offer acceptance
 * and response validation tables, and the codec inside a {@link Connection}: RSV1 rules,
 * corrupt data, the inflate bomb, native objects released.
 */
class PerMessageDeflateTest {
    private static final Config DEFAULT = Config.DEFAULT;
    private static final Params TAKEOVER = new Params(false, false, 15, 15);
    private static final Params NO_TAKEOVER = new Params(true, true, 15, 15);

    private final CodecResources resources = CodecResources.create();
    private final List<Connection> opened = new ArrayList<>();

    @AfterEach
    void releaseAll() {
        opened.forEach(Connection::release);
    }

    private Connection connection(Connection.Role role, Params params, long maxMessageSize,
                                  RecordingListener l, RecordingOutput o) {
        PerMessageDeflate d = params == null ? null
                : new PerMessageDeflate(role == Connection.Role.SERVER, params, 0, -1, resources);
        Connection c = new Connection(role, maxMessageSize, Long.MAX_VALUE, MaskKeySource.of(new java.security.SecureRandom()), d, l, o);
        opened.add(c);
        return c;
    }

    private Connection client(Params params, RecordingListener l) {
        return connection(Connection.Role.CLIENT, params, Long.MAX_VALUE, l, new RecordingOutput());
    }

    // ================================================================== RFC 7692 §7.2.3

    @Test
    void rfcHelloInOneCompressedFrame() {
        RecordingListener l = new RecordingListener();
        client(TAKEOVER, l).receive(ByteBuffer.wrap(hex("c107f248cdc9c90700")));
        assertThat(l.events).containsExactly("text Hello");
    }

    @Test
    void rfcHelloCompressedAndFragmented() {
        RecordingListener l = new RecordingListener();
        Connection c = client(TAKEOVER, l);
        c.receive(ByteBuffer.wrap(hex("4103f248cd")));
        assertThat(l.events).isEmpty();
        c.receive(ByteBuffer.wrap(hex("8004c9c90700")));
        assertThat(l.events).containsExactly("text Hello");
    }

    @Test
    void rfcSecondHelloWithContextTakeover() {
        RecordingListener l = new RecordingListener();
        Connection c = client(TAKEOVER, l);
        c.receive(ByteBuffer.wrap(hex("c107f248cdc9c90700 c105f200110000")));
        assertThat(l.events).containsExactly("text Hello", "text Hello");
    }

    @Test
    void rfcStoredBlock() {
        RecordingListener l = new RecordingListener();
        client(TAKEOVER, l).receive(ByteBuffer.wrap(hex("c10b0005 00faff48656c6c6f00")));
        assertThat(l.events).containsExactly("text Hello");
    }

    @Test
    void rfcBfinalBlockThenAnotherMessage() {
        RecordingListener l = new RecordingListener();
        Connection c = client(TAKEOVER, l);
        c.receive(ByteBuffer.wrap(hex("c108f348cdc9c907 0000")));
        c.receive(ByteBuffer.wrap(hex("c107f248cdc9c90700")));   // a new stream after the final block
        assertThat(l.events).containsExactly("text Hello", "text Hello");
    }

    @Test
    void rfcTwoDeflateBlocksInOneMessage() {
        RecordingListener l = new RecordingListener();
        client(TAKEOVER, l).receive(ByteBuffer.wrap(hex("c10df24805000000ffffcac9c90700")));
        assertThat(l.events).containsExactly("text Hello");
    }

    @Test
    void rfcEmptyMessageIsOneZeroByte() {
        RecordingListener l = new RecordingListener();
        client(TAKEOVER, l).receive(ByteBuffer.wrap(hex("c10100")));
        assertThat(l.events).containsExactly("text ");
    }

    @Test
    void compressorProducesTheRfcBytesWithAndWithoutContextTakeover() {
        PerMessageDeflate takeover = new PerMessageDeflate(true, TAKEOVER, 0, -1, resources);
        assertThat(hex(takeover.deflateMessage(utf8("Hello")))).isEqualTo("f248cdc9c90700");
        assertThat(hex(takeover.deflateMessage(utf8("Hello")))).isEqualTo("f200110000");
        takeover.release();
        PerMessageDeflate none = new PerMessageDeflate(true, NO_TAKEOVER, 0, -1, resources);
        assertThat(hex(none.deflateMessage(utf8("Hello")))).isEqualTo("f248cdc9c90700");
        assertThat(hex(none.deflateMessage(utf8("Hello")))).isEqualTo("f248cdc9c90700");
        none.release();
    }

    // ================================================================== offers

    @Test
    void defaultOfferIsABrowsers() {
        assertThat(PerMessageDeflate.offer(DEFAULT)).isEqualTo("permessage-deflate; client_max_window_bits");
    }

    @Test
    void offerWithEveryParameter() {
        assertThat(PerMessageDeflate.offer(new Config(true, true, 10, 9, 0, -1))).isEqualTo(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                        + "server_max_window_bits=10; client_max_window_bits=9");
    }

    // ================================================================== server: accepting offers

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "permessage-deflate                                       | permessage-deflate",
        "permessage-deflate; client_max_window_bits               | permessage-deflate",
        "permessage-deflate; client_max_window_bits=10            | permessage-deflate; client_max_window_bits=10",
        "permessage-deflate; client_max_window_bits=\"10\"        | permessage-deflate; client_max_window_bits=10",
        "permessage-deflate; server_max_window_bits=12            | permessage-deflate; server_max_window_bits=12",
        "permessage-deflate; server_max_window_bits=15            | permessage-deflate; server_max_window_bits=15",
        "permessage-deflate; server_no_context_takeover           | permessage-deflate; server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover           | permessage-deflate; client_no_context_takeover",
        "PerMessage-Deflate; Client_Max_Window_Bits               | permessage-deflate",
        "x-webkit-deflate-frame, permessage-deflate               | permessage-deflate",
        // the first acceptable offer wins; broken ones are declined, not failed
        "permessage-deflate; foo, permessage-deflate; server_no_context_takeover | permessage-deflate; server_no_context_takeover",
        "permessage-deflate; server_max_window_bits=7, permessage-deflate | permessage-deflate",
        "permessage-deflate; server_max_window_bits=10, permessage-deflate | permessage-deflate; server_max_window_bits=10",
    })
    void acceptsTheFirstAcceptableOffer(String offer, String response) {
        PerMessageDeflate.Agreement a = PerMessageDeflate.accept(offer, DEFAULT);
        assertThat(a).isNotNull();
        assertThat(a.response()).isEqualTo(response);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "",
        "x-webkit-deflate-frame",
        "permessage-deflate; foo",
        "permessage-deflate; foo=1",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover=true",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=010",
        "permessage-deflate; server_max_window_bits=abc",
        "permessage-deflate; client_max_window_bits=8.5",
        "permessage-deflate; client_max_window_bits=\"1 0\"",
        "permessage-deflate; client_max_window_bits=\"10",
        "permessage-deflate;",
        "permessage-deflate; ; server_no_context_takeover",
    })
    void declinesBadOffers(String offer) {
        assertThat(PerMessageDeflate.accept(offer, DEFAULT)).isNull();
    }

    @Test
    void serverPolicyAddsItsOwnRequirements() {
        Config policy = new Config(true, true, 10, 9, 0, -1);
        PerMessageDeflate.Agreement a = PerMessageDeflate.accept("permessage-deflate; client_max_window_bits", policy);
        assertThat(a.response()).isEqualTo("permessage-deflate; server_no_context_takeover; "
                + "client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9");
        assertThat(a.params()).isEqualTo(new Params(true, true, 10, 9));
        // without client_max_window_bits in the offer, the server cannot ask for a smaller client window
        a = PerMessageDeflate.accept("permessage-deflate", policy);
        assertThat(a.response()).isEqualTo("permessage-deflate; server_no_context_takeover; "
                + "client_no_context_takeover; server_max_window_bits=10");
        assertThat(a.params().clientMaxWindowBits()).isEqualTo(15);
        // the smaller of the offered and the allowed window
        a = PerMessageDeflate.accept("permessage-deflate; server_max_window_bits=8; client_max_window_bits=12", policy);
        assertThat(a.params()).isEqualTo(new Params(true, true, 8, 9));
    }

    // ================================================================== client: validating responses

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "permessage-deflate                                   | false | false | 15 | 15",
        "permessage-deflate; server_no_context_takeover       | true  | false | 15 | 15",
        "permessage-deflate; client_no_context_takeover       | false | true  | 15 | 15",
        "permessage-deflate; server_max_window_bits=9         | false | false | 9  | 15",
        "permessage-deflate; client_max_window_bits=8         | false | false | 15 | 8",
        "permessage-deflate; client_max_window_bits=\"12\"    | false | false | 15 | 12",
        "PERMESSAGE-DEFLATE; Server_No_Context_Takeover       | true  | false | 15 | 15",
    })
    void validResponses(String response, boolean snct, boolean cnct, int sbits, int cbits) throws Exception {
        assertThat(PerMessageDeflate.validateResponse(response, DEFAULT)).isEqualTo(new Params(snct, cnct, sbits, cbits));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "permessage-deflate; foo                                       | unknown parameter \"foo\"",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover | Malformed",
        "permessage-deflate; server_no_context_takeover=1              | must not have a value",
        "permessage-deflate; client_max_window_bits                    | client_max_window_bits needs a value",
        "permessage-deflate; client_max_window_bits=7                  | client_max_window_bits needs a value",
        "permessage-deflate; server_max_window_bits=16                 | server_max_window_bits needs a value",
        "permessage-deflate; server_max_window_bits                    | server_max_window_bits needs a value",
        "permessage-deflate, permessage-deflate                        | 2 extensions",
        "x-foo                                                         | did not offer",
    })
    void invalidResponsesFail(String response, String message) {
        assertThatThrownBy(() -> PerMessageDeflate.validateResponse(response, DEFAULT))
                .isInstanceOf(HandshakeException.class).hasMessageContaining(message);
    }

    @Test
    void responseMustRespectTheOffer() throws Exception {
        Config offer = new Config(true, false, 10, 11, 0, -1);
        assertThat(PerMessageDeflate.validateResponse(
                "permessage-deflate; server_no_context_takeover; server_max_window_bits=10", offer))
                .isEqualTo(new Params(true, false, 10, 11));
        assertThatThrownBy(() -> PerMessageDeflate.validateResponse("permessage-deflate; server_max_window_bits=10", offer))
                .hasMessageContaining("server_no_context_takeover was requested but not granted");
        assertThatThrownBy(() -> PerMessageDeflate.validateResponse(
                "permessage-deflate; server_no_context_takeover", offer))
                .hasMessageContaining("server_max_window_bits=10 was requested but not granted");
        assertThatThrownBy(() -> PerMessageDeflate.validateResponse(
                "permessage-deflate; server_no_context_takeover; server_max_window_bits=11", offer))
                .hasMessageContaining("exceeds the offered 10");
        assertThatThrownBy(() -> PerMessageDeflate.validateResponse(
                "permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12", offer))
                .hasMessageContaining("client_max_window_bits=12 exceeds the offered 11");
    }

    // ================================================================== the codec in a Connection

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void serverAndClientConnectionsTalkCompressed(boolean takeover) {
        Params params = takeover ? TAKEOVER : NO_TAKEOVER;
        RecordingListener sl = new RecordingListener();
        RecordingOutput so = new RecordingOutput();
        Connection server = connection(Connection.Role.SERVER, params, Long.MAX_VALUE, sl, so);
        RecordingListener cl = new RecordingListener();
        RecordingOutput co = new RecordingOutput();
        Connection client = connection(Connection.Role.CLIENT, params, Long.MAX_VALUE, cl, co);
        String text = "Hello, compression! ".repeat(50);
        for (int i = 0; i < 3; i++) {
            server.sendMessage(true, utf8(text));
            client.sendMessage(false, utf8(text));
        }
        List<Wire.Parsed> sf = so.frames();
        assertThat(sf).hasSize(3).allSatisfy(f -> assertThat(f.rsv()).isEqualTo(4));
        assertThat(sf.get(1).payload().length).isLessThan(takeover ? 20 : 60);
        assertThat(so.credits).containsOnly((long) text.length());
        client.receive(ByteBuffer.wrap(so.bytes()));
        server.receive(ByteBuffer.wrap(co.bytes()));
        assertThat(cl.texts).containsExactly(text, text, text);
        assertThat(sl.binaries).hasSize(3).allSatisfy(b -> assertThat(b).isEqualTo(utf8(text)));
    }

    @Test
    void smallAndIncompressibleMessagesGoOutPlainAndTheContextStaysInStep() {
        RecordingOutput so = new RecordingOutput();
        PerMessageDeflate d = new PerMessageDeflate(true, TAKEOVER, 128, -1, resources);
        Connection server = new Connection(Connection.Role.SERVER, Long.MAX_VALUE, Long.MAX_VALUE, null, d,
                new RecordingListener(), so);
        opened.add(server);
        byte[] random = new byte[4096];
        new Random(1).nextBytes(random);
        byte[] text = utf8("abcdefgh".repeat(100));
        server.sendMessage(false, utf8("short"));
        server.sendMessage(false, text);
        server.sendMessage(false, random);
        server.sendMessage(false, text);
        List<Wire.Parsed> f = so.frames();
        assertThat(f).extracting(Wire.Parsed::rsv).containsExactly(0, 4, 0, 4);
        RecordingListener cl = new RecordingListener();
        client(TAKEOVER, cl).receive(ByteBuffer.wrap(so.bytes()));
        assertThat(cl.binaries).hasSize(4);
        assertThat(cl.binaries.get(2)).isEqualTo(random);
        assertThat(cl.binaries.get(3)).isEqualTo(text);
    }

    @Test
    void limitedWindowCompressesOnlyMessagesThatFitIt() {
        RecordingOutput so = new RecordingOutput();
        PerMessageDeflate d = new PerMessageDeflate(true, new Params(false, false, 9, 15), 0, -1, resources);
        Connection server = new Connection(Connection.Role.SERVER, Long.MAX_VALUE, Long.MAX_VALUE, null, d,
                new RecordingListener(), so);
        opened.add(server);
        server.sendMessage(false, utf8("x".repeat(512)));
        server.sendMessage(false, utf8("x".repeat(512)));
        server.sendMessage(false, utf8("x".repeat(513)));
        assertThat(so.frames()).extracting(Wire.Parsed::rsv).containsExactly(4, 4, 0);
        // each compressed on its own: the second is as long as the first
        assertThat(so.frames().get(1).payload()).isEqualTo(so.frames().get(0).payload());
        // and a decoder limited to 2^9 bytes of window reads it
        java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
        inf.setInput(Wire.concat(so.frames().get(0).payload(), hex("0000ffff")));
        byte[] out = new byte[600];
        try {
            assertThat(inf.inflate(out)).isEqualTo(512);
        } catch (java.util.zip.DataFormatException e) {
            throw new AssertionError(e);
        } finally {
            inf.end();
        }
    }

    @Test
    void fragmentedCompressedMessageWithControlFrameInBetween() {
        PerMessageDeflate d = new PerMessageDeflate(true, TAKEOVER, 0, -1, resources);
        byte[] data = utf8("fragmented and compressed ".repeat(200));
        byte[] packed = d.deflateMessage(data);
        d.release();
        int third = packed.length / 3;
        byte[] key = {1, 2, 3, 4};
        byte[] wire = Wire.concat(
                Wire.frame(false, 4, Opcode.TEXT, java.util.Arrays.copyOfRange(packed, 0, third), key),
                Wire.frame(true, 0, Opcode.PING, utf8("p"), key),
                Wire.frame(false, 0, Opcode.CONTINUATION, java.util.Arrays.copyOfRange(packed, third, 2 * third), key),
                Wire.frame(true, 0, Opcode.CONTINUATION, java.util.Arrays.copyOfRange(packed, 2 * third, packed.length), key));
        RecordingListener sl = new RecordingListener();
        Connection server = connection(Connection.Role.SERVER, TAKEOVER, Long.MAX_VALUE, sl, new RecordingOutput());
        // byte by byte: any chopping gives the same message
        for (byte b : wire) {
            server.receive(ByteBuffer.wrap(new byte[] {b}));
        }
        assertThat(sl.events).containsExactly("ping 70", "text " + new String(data, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void rsv1OnAControlFrameIs1002() {
        RecordingListener l = new RecordingListener();
        client(TAKEOVER, l).receive(ByteBuffer.wrap(Wire.frame(true, 4, Opcode.PING, new byte[0], null)));
        assertThat(l.events).containsExactly("error 1002");
        assertThat(l.errors.get(0).getMessage()).contains("RSV1");
    }

    @Test
    void rsv1OnAContinuationFrameIs1002() {
        RecordingListener l = new RecordingListener();
        client(TAKEOVER, l).receive(ByteBuffer.wrap(Wire.concat(hex("4103f248cd"), hex("c004c9c90700"))));
        assertThat(l.events).containsExactly("error 1002");
        assertThat(l.errors.get(0).getMessage()).contains("continuation");
    }

    @Test
    void rsv1WithoutNegotiationIs1002() {
        RecordingListener l = new RecordingListener();
        client(null, l).receive(ByteBuffer.wrap(hex("c107f248cdc9c90700")));
        assertThat(l.events).containsExactly("error 1002");
    }

    @Test
    void corruptCompressedDataIs1007() {
        RecordingListener l = new RecordingListener();
        RecordingOutput o = new RecordingOutput();
        connection(Connection.Role.CLIENT, TAKEOVER, Long.MAX_VALUE, l, o)
                .receive(ByteBuffer.wrap(hex("c104ffffffff")));   // BTYPE 11: reserved
        assertThat(l.events).containsExactly("error 1007");
        assertThat(l.errors.get(0).getMessage()).contains("Invalid compressed data");
        assertThat(o.frames().get(0).closeCode()).isEqualTo(1007);
    }

    @Test
    void compressedInvalidUtf8Is1007() {
        PerMessageDeflate d = new PerMessageDeflate(true, TAKEOVER, 0, -1, resources);
        byte[] packed = d.deflateMessage(hex("48656cc0af"));
        d.release();
        RecordingListener l = new RecordingListener();
        client(TAKEOVER, l).receive(ByteBuffer.wrap(Wire.frame(true, 4, Opcode.TEXT, packed, null)));
        assertThat(l.events).containsExactly("error 1007");
    }

    @Test
    void inflateBombStopsAtTheLimitWithoutBuildingTheMessage() {
        PerMessageDeflate d = new PerMessageDeflate(true, TAKEOVER, 0, 9, resources);
        byte[] packed = d.deflateMessage(new byte[10 << 20]);
        d.release();
        assertThat(packed.length).isLessThan(20_000);
        RecordingListener l = new RecordingListener();
        RecordingOutput o = new RecordingOutput();
        Connection c = connection(Connection.Role.CLIENT, TAKEOVER, 1 << 20, l, o);
        c.receive(ByteBuffer.wrap(Wire.frame(true, 4, Opcode.BINARY, packed, null)));
        assertThat(l.events).containsExactly("error 1009");
        assertThat(l.errors.get(0).getMessage()).contains("exceeds the message size limit of 1048576");
        assertThat(o.frames().get(0).closeCode()).isEqualTo(1009);
        // nothing of the 10 MiB was kept: the limit is checked before each 16 KiB chunk is appended
    }

    @Test
    void messageJustUnderTheLimitInflates() {
        PerMessageDeflate d = new PerMessageDeflate(true, TAKEOVER, 0, -1, resources);
        byte[] packed = d.deflateMessage(new byte[1 << 20]);
        d.release();
        RecordingListener l = new RecordingListener();
        connection(Connection.Role.CLIENT, TAKEOVER, 1 << 20, l, new RecordingOutput())
                .receive(ByteBuffer.wrap(Wire.frame(true, 4, Opcode.BINARY, packed, null)));
        assertThat(l.binaries).hasSize(1);
        assertThat(l.binaries.get(0)).hasSize(1 << 20);
    }

    @Test
    void noNativeLeakAfter100000Connections() {
        int before = resources.zlib().liveObjects();
        byte[] hello = hex("c107f248cdc9c90700");
        for (int i = 0; i < 100_000; i++) {
            RecordingOutput o = new RecordingOutput();
            PerMessageDeflate d = new PerMessageDeflate(true, (i & 1) == 0 ? TAKEOVER : NO_TAKEOVER, 0, 1, resources);
            Connection c = new Connection(Connection.Role.SERVER, 1 << 20, 1 << 20, null, d,
                    new RecordingListener(), o);
            c.sendMessage(true, utf8("Hello Hello Hello"));                       // creates the Deflater
            byte[] key = {9, 8, 7, 6};
            switch (i % 4) {
                case 0: c.receive(ByteBuffer.wrap(Wire.frame(true, 4, Opcode.TEXT, hex("f248cdc9c90700"), key))); break;
                case 1: c.receive(ByteBuffer.wrap(Wire.frame(true, 4, Opcode.TEXT, hex("ffffffff"), key))); break; // 1007
                case 2: c.close(1000, ""); break;
                default: c.receive(ByteBuffer.wrap(Wire.frame(false, 4, Opcode.TEXT, hex("f248"), key))); // aborted mid-message
            }
            c.release();
            c.release();
        }
        assertThat(hello).isNotEmpty();
        assertThat(resources.zlib().liveObjects()).isLessThanOrEqualTo(before);
    }

    @Test
    void withoutContextTakeoverCompressorsArePooledPerMessageAndSharedSafely() {
        // Two client -> server pairs, no context takeover both ways; their messages alternate, so
        // pooled compressors and decompressors pass from one connection to the other.
        int pooledBefore = resources.zlib().idleObjects();
        List<PerMessageDeflate> codecs = new ArrayList<>();
        List<Connection> clients = new ArrayList<>();
        List<Connection> servers = new ArrayList<>();
        List<RecordingOutput> clientOut = new ArrayList<>();
        List<RecordingListener> serverIn = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            PerMessageDeflate cd = new PerMessageDeflate(false, NO_TAKEOVER, 0, -1, resources);
            PerMessageDeflate sd = new PerMessageDeflate(true, NO_TAKEOVER, 0, -1, resources);
            codecs.add(cd);
            codecs.add(sd);
            RecordingOutput o = new RecordingOutput();
            RecordingListener l = new RecordingListener();
            clients.add(new Connection(Connection.Role.CLIENT, 1 << 20, Long.MAX_VALUE,
                    MaskKeySource.of(new java.security.SecureRandom()), cd, new RecordingListener(), o));
            servers.add(new Connection(Connection.Role.SERVER, 1 << 20, Long.MAX_VALUE, null, sd, l,
                    new RecordingOutput()));
            opened.add(clients.get(k));
            opened.add(servers.get(k));
            clientOut.add(o);
            serverIn.add(l);
        }
        List<List<String>> sent = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < 200; i++) {
            int k = i & 1;
            String text = ("message " + i + " from connection " + k + " ").repeat(3 + i % 7);     // long enough to shrink
            sent.get(k).add(text);
            int already = clientOut.get(k).wire.size();
            assertThat(clients.get(k).sendMessage(true, utf8(text))).isTrue();
            byte[] all = clientOut.get(k).bytes();
            servers.get(k).receive(ByteBuffer.wrap(Arrays.copyOfRange(all, already, all.length)));
            for (PerMessageDeflate d : codecs) {
                assertThat(d.holdsNativeObjects()).as("nothing held between messages").isFalse();
            }
        }
        for (int k = 0; k < 2; k++) {
            assertThat(serverIn.get(k).texts).isEqualTo(sent.get(k));
            assertThat(clientOut.get(k).frames()).allSatisfy(f -> assertThat(f.rsv() & 4).isEqualTo(4));
        }
        assertThat(resources.zlib().idleObjects())
                .isLessThanOrEqualTo(Math.max(pooledBefore, 2 * ZlibPool.MAX_IDLE));
    }
}
