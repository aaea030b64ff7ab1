package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.TestServer;
import dev.duplex.internal.transport.EventLoopGroup;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * permessage-deflate between real Duplex clients and servers: every parameter combination with
 * messages of 0 B, 1 KiB, 64 KiB and 4 MiB both ways, invalid responses from a fake server, and
 * native memory released after many connections.
 */
class CompressionTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() throws Exception {
        servers.close();
    }

    private static final int[] SIZES = {0, 1024, 64 * 1024, 4 << 20};

    /** Compressible, but not trivially: words drawn at random; exactly {@code size} bytes of UTF-8. */
    private static String text(int size, long seed) {
        String[] words = {"permessage", "deflate", "window", "context", "takeover", "Duplex", "frame", "été", "ß"};
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(size);
        int bytes = 0;
        while (true) {
            String w = words[r.nextInt(words.length)] + " ";
            int n = w.getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > size) {
                break;
            }
            sb.append(w);
            bytes += n;
        }
        return sb.append("x".repeat(size - bytes)).toString();
    }

    private static byte[] binary(int size, long seed) {
        byte[] b = new byte[size];
        Random r = new Random(seed);
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (r.nextInt(16) * (i % 7));      // compressible
        }
        return b;
    }

    static Stream<Arguments> combinations() {
        List<Arguments> out = new ArrayList<>();
        for (int m = 0; m < 32; m++) {
            boolean snct = (m & 1) != 0;
            boolean cnct = (m & 2) != 0;
            int sbits = (m & 4) != 0 ? 10 : 15;
            int cbits = (m & 8) != 0 ? 9 : 15;
            boolean serverAsks = (m & 16) != 0;    // the server's policy asks rather than the client's offer
            out.add(Arguments.of(snct, cnct, sbits, cbits, serverAsks));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "snct={0} cnct={1} server_bits={2} client_bits={3} askedByServer={4}")
    @MethodSource("combinations")
    void everyCombinationCarriesEverySizeBothWays(boolean snct, boolean cnct, int sbits, int cbits,
                                                  boolean serverAsks) {
        DeflateOptions want = DeflateOptions.builder().serverNoContextTakeover(snct).clientNoContextTakeover(cnct)
                .serverMaxWindowBits(sbits).clientMaxWindowBits(cbits).build();
        DeflateOptions clientOptions = serverAsks ? DeflateOptions.builder().clientMaxWindowBits(cbits).build() : want;
        DeflateOptions serverOptions = serverAsks ? want : DeflateOptions.defaults();
        TestServer server = servers.start(b -> b.deflateOptions(serverOptions), TestServers::echoing);
        WebSocket ws = servers.client(server.url(), List.of(),
                WebSocketOptions.builder().deflateOptions(clientOptions).build());
        ws.binaryType(BinaryType.ARRAYBUFFER);
        EventLog log = EventLog.attach(ws);
        log.awaitOpen();

        StringBuilder expected = new StringBuilder("permessage-deflate");
        if (snct) expected.append("; server_no_context_takeover");
        if (cnct) expected.append("; client_no_context_takeover");
        if (sbits < 15) expected.append("; server_max_window_bits=").append(sbits);
        if (cbits < 15) expected.append("; client_max_window_bits=").append(cbits);
        assertThat(ws.extensions()).isEqualTo(expected.toString());
        assertThat(server.nextConnection().socket().extensions()).isEqualTo(ws.extensions());

        List<Object> sent = new ArrayList<>();
        int seed = 0;
        for (int size : SIZES) {
            String t = text(size, seed++);
            byte[] b = binary(size, seed++);
            ws.send(t);
            ws.send(b);
            sent.add(t);
            sent.add(b);
        }
        List<Object> got = log.awaitMessages(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            Object s = sent.get(i);
            if (s instanceof String str) {
                assertThat(got.get(i)).as("message %d", i).isEqualTo(str);
            } else {
                ByteBuffer bb = (ByteBuffer) got.get(i);
                byte[] a = new byte[bb.remaining()];
                bb.get(a);
                assertThat(a).as("message %d", i).isEqualTo((byte[]) s);
            }
        }
        ws.close();
        assertThat(log.awaitClose().wasClean()).isTrue();
    }

    @Test
    void offIsOff() {
        TestServer server = servers.echo();
        WebSocket ws = servers.client(server.url(), List.of(), WebSocketOptions.builder().perMessageDeflate(false).build());
        EventLog.attach(ws).awaitOpen();
        assertThat(ws.extensions()).isEmpty();

        TestServer plain = servers.start(b -> b.perMessageDeflate(false), TestServers::echoing);
        WebSocket ws2 = servers.client(plain.url());
        EventLog log = EventLog.attach(ws2);
        log.awaitOpen();
        assertThat(ws2.extensions()).isEmpty();
        ws2.send("x".repeat(1000));
        assertThat(log.awaitMessage()).isEqualTo("x".repeat(1000));
    }

    @Test
    void defaultOfferIsABrowsers() throws Exception {
        AtomicReference<String> offer = new AtomicReference<>();
        try (FakeServer fake = FakeServer.start(p -> {
            offer.set(p.header("Sec-WebSocket-Extensions"));
            p.socket.close();
        })) {
            WebSocket ws = servers.client(fake.url());
            EventLog.attach(ws).awaitClose();
        }
        assertThat(offer.get()).isEqualTo("permessage-deflate; client_max_window_bits");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "permessage-deflate; foo",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_max_window_bits",
        "permessage-deflate; client_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; client_no_context_takeover=yes",
        "permessage-deflate, permessage-deflate",
        "x-webkit-deflate-frame",
    })
    void invalidResponseFailsTheConnection(String response) throws Exception {
        try (FakeServer fake = FakeServer.start(p -> {
            p.completeHandshake("Sec-WebSocket-Extensions: " + response + "\r\n");
            p.drain();
        })) {
            WebSocket ws = servers.client(fake.url());
            EventLog log = EventLog.attach(ws);
            ErrorEvent error = log.assertFailed();
            assertThat(log.types()).doesNotContain("open");
            assertThat(error.error().getMessage()).containsAnyOf("permessage-deflate", "did not offer", "Malformed");
            assertThat(ws.extensions()).isEmpty();
        }
    }

    @Test
    void compressedMessageFromAServerThatNegotiatedNothingIs1002() throws Exception {
        AtomicReference<Integer> closeCode = new AtomicReference<>();
        try (FakeServer fake = FakeServer.start(p -> {
            p.completeHandshake("");
            p.write(FakeServer.concat(new byte[] {(byte) 0xc1, 0x07},
                    new byte[] {(byte) 0xf2, 0x48, (byte) 0xcd, (byte) 0xc9, (byte) 0xc9, 0x07, 0x00}));
            closeCode.set(p.readUntilClose().closeCode());
        })) {
            WebSocket ws = servers.client(fake.url());
            EventLog log = EventLog.attach(ws);
            log.assertFailed();
            EventLog.waitUntil("the close frame reached the fake server", () -> closeCode.get() != null);
            assertThat(closeCode.get()).isEqualTo(1002);
        }
    }

    @Test
    void serverSendsTheRfcHelloAndTheClientReadsIt() throws Exception {
        try (FakeServer fake = FakeServer.start(p -> {
            p.completeHandshake("Sec-WebSocket-Extensions: permessage-deflate\r\n");
            p.write(new byte[] {(byte) 0xc1, 0x07, (byte) 0xf2, 0x48, (byte) 0xcd, (byte) 0xc9, (byte) 0xc9, 0x07, 0x00,
                    (byte) 0xc1, 0x05, (byte) 0xf2, 0x00, 0x11, 0x00, 0x00});
            p.readUntilClose();
        })) {
            WebSocket ws = servers.client(fake.url());
            EventLog log = EventLog.attach(ws);
            assertThat(log.awaitMessages(2)).containsExactly("Hello", "Hello");
            assertThat(ws.extensions()).isEqualTo("permessage-deflate");
        }
    }

    @Test
    void inflateBombFromAServerFailsWith1009() throws Exception {
        java.util.zip.Deflater d = new java.util.zip.Deflater(9, true);
        d.setInput(new byte[10 << 20]);
        byte[] out = new byte[1 << 20];
        int n = d.deflate(out, 0, out.length, java.util.zip.Deflater.SYNC_FLUSH);
        d.end();
        byte[] packed = java.util.Arrays.copyOf(out, n - 4);
        AtomicReference<Integer> closeCode = new AtomicReference<>();
        try (FakeServer fake = FakeServer.start(p -> {
            p.completeHandshake("Sec-WebSocket-Extensions: permessage-deflate\r\n");
            byte[] frame = FakeServer.frame(true, 2, packed);
            frame[0] |= 0x40;
            p.write(frame);
            closeCode.set(p.readUntilClose().closeCode());
        })) {
            WebSocket ws = servers.client(fake.url(), List.of(),
                    WebSocketOptions.builder().maxMessageSize(1 << 20).build());
            EventLog log = EventLog.attach(ws);
            ErrorEvent error = log.assertFailed();
            assertThat(error.error().getMessage()).contains("message size limit");
            EventLog.waitUntil("the close frame reached the fake server", () -> closeCode.get() != null);
            assertThat(closeCode.get()).isEqualTo(1009);
        }
    }

    @Test
    void nativeMemoryIsReleasedAfterThousandsOfConnections() {
        int before = EventLoopGroup.shared().zlib().liveObjects();
        TestServer server = servers.start(b -> b.deflateOptions(DeflateOptions.builder().compressionThreshold(1).build()),
                TestServers::echoing);
        WebSocketOptions options = WebSocketOptions.builder()
                .deflateOptions(DeflateOptions.builder().compressionThreshold(1).build()).build();
        String message = "compress me ".repeat(20);
        for (int round = 0; round < 20; round++) {
            List<WebSocket> sockets = new ArrayList<>();
            List<EventLog> logs = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                WebSocket ws = new WebSocket(server.url(), List.of(), options);
                logs.add(EventLog.attach(ws));
                sockets.add(ws);
                ws.onopen(e -> ws.send(message));
            }
            for (int i = 0; i < sockets.size(); i++) {
                assertThat(logs.get(i).awaitMessage()).isEqualTo(message);
                switch (i % 3) {
                    case 0 -> sockets.get(i).close();
                    case 1 -> sockets.get(i).close(4000, "bye");
                    default -> { }     // closed by the server below
                }
            }
            server.server.clients().forEach(WebSocket::close);
            logs.forEach(EventLog::awaitClose);
        }
        EventLog.waitUntil("every Deflater and Inflater ended (live: " + EventLoopGroup.shared().zlib().liveObjects() + ")",
                () -> EventLoopGroup.shared().zlib().liveObjects() <= before);
    }
}
