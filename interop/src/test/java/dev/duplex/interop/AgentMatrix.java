package dev.duplex.interop;

import dev.duplex.Blob;
import dev.duplex.CloseEvent;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interop matrix, written once and run against each peer (Node ws, Python websockets) in
 * each role (peer as server with a Duplex client, peer as client with a Duplex server), with
 * permessage-deflate on and off. The peer runs the "agent" of peer.js / peer.py: it echoes data
 * messages and then acknowledges them with their length and SHA-256, and obeys commands sent
 * as text messages that start with "!".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AgentMatrix {
    static final Duration SHORT = Duration.ofSeconds(10);
    static final Duration LONG = Duration.ofSeconds(60);
    private static final AtomicInteger IDS = new AtomicInteger();

    /** One open connection between a Duplex socket and the peer's agent. */
    record Link(String id, WebSocket socket, Recorder events, Peer peer) {
        Map<String, Object> peerEvent(String ev, Duration timeout) {
            return peer.awaitEvent(id, ev, timeout);
        }
    }

    /** A name for reports, e.g. "node ws 8.23.0 server". */
    abstract String peerName();

    /** Opens a connection (Duplex client to the peer, or the peer to a Duplex server) and waits until both sides are open. */
    abstract Link connect(boolean deflate, String path, List<String> protocols) throws Exception;

    /** Whether the peer can split a text message inside a UTF-8 sequence (ws can, websockets sends str fragments). */
    abstract boolean peerSplitsCharacters();

    /** The code Duplex sees when the peer closes without arguments (ws sends no status: 1005). */
    abstract int peerBareCloseCode();

    abstract void stopPeers() throws Exception;

    @AfterAll
    void stop() throws Exception {
        stopPeers();
    }

    static String path(String test) {
        return "/t/" + IDS.incrementAndGet() + "-" + test;
    }

    static Stream<Arguments> sizes() {
        List<Arguments> out = new ArrayList<>();
        for (boolean deflate : new boolean[] {false, true}) {
            for (String type : new String[] {"text", "binary"}) {
                for (int size : new int[] {0, 1024, 64 << 10, 1 << 20, 16 << 20}) {
                    out.add(Arguments.of(deflate, type, size));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "deflate={0} {1} {2} bytes")
    @MethodSource("sizes")
    void echoes_messages_of_every_size_intact(boolean deflate, String type, int size) throws Exception {
        Link link = connect(deflate, path("echo"), List.of());
        byte[] sent;
        if (type.equals("text")) {
            String text = Payloads.text(size);
            sent = text.getBytes(StandardCharsets.UTF_8);
            link.socket().send(text);
        } else {
            sent = Payloads.binary(size);
            // every binary form of send(): byte[], ByteBuffer (a slice of a larger one), Blob
            switch (size) {
                case 1024 -> {
                    ByteBuffer larger = ByteBuffer.allocate(size + 20);
                    larger.position(7);
                    larger.put(sent);
                    larger.position(7).limit(7 + size);
                    link.socket().send(larger);
                }
                case 64 << 10 -> link.socket().send(Blob.of(sent));
                default -> link.socket().send(sent);
            }
        }
        String hash = Payloads.sha256(sent);
        MessageEvent echo = link.events().message(LONG);
        assertThat(Payloads.kind(echo.data())).as("type of the echo").isEqualTo(type);
        byte[] back = Payloads.bytes(echo.data());
        assertThat(back.length).as("length of the echo").isEqualTo(size);
        assertThat(Payloads.sha256(back)).as("SHA-256 of the echo").isEqualTo(hash);
        Map<String, Object> ack = link.events().json(LONG);
        assertThat(ack).as("the peer's acknowledgement").containsEntry("ack", type)
                .containsEntry("len", (long) size).containsEntry("sha256", hash);
        closeNormally(link);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void receives_messages_the_peer_makes(boolean deflate) throws Exception {
        Link link = connect(deflate, path("peer-sends"), List.of());
        for (String type : List.of("text", "binary")) {
            for (int size : new int[] {0, 125, 126, 65535, 65536, 3 << 20}) {
                link.socket().send("!send " + Json.write(Map.of("type", type, "size", size)));
                MessageEvent m = link.events().message(LONG);
                byte[] got = Payloads.bytes(m.data());
                Map<String, Object> sent = link.events().json(LONG);
                assertThat(Payloads.kind(m.data())).isEqualTo(type);
                assertThat(sent).containsEntry("len", (long) size);
                assertThat(Payloads.sha256(got)).as(type + " of " + size + " bytes").isEqualTo(sent.get("sha256"));
            }
        }
        closeNormally(link);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void negotiates_extensions_truthfully(boolean deflate) throws Exception {
        Link link = connect(deflate, path("extensions"), List.of());
        link.socket().send("!info");
        Map<String, Object> info = info(link);
        String duplex = link.socket().extensions();
        String peer = String.valueOf(info.get("extensions"));
        Env.report(peerName() + (link.socket().isServerSide() ? " client -> Duplex server" : " server <- Duplex client")
                + " deflate=" + deflate + ": Duplex extensions()='" + duplex + "', peer sees '" + peer + "'");
        assertThat(duplex.startsWith("permessage-deflate")).as("Duplex and the peer agree on permessage-deflate: Duplex '"
                + duplex + "', peer '" + peer + "'").isEqualTo(peer.contains("permessage-deflate"));
        if (deflate) {
            assertThat(duplex).as("permessage-deflate negotiated with both sides willing").startsWith("permessage-deflate");
        } else {
            assertThat(duplex).isEmpty();
        }
        closeNormally(link);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void selects_a_subprotocol(boolean deflate) throws Exception {
        Link link = connect(deflate, path("subprotocol"), List.of("x-unknown", "chat", "superchat"));
        assertThat(link.socket().protocol()).isEqualTo("chat");
        link.socket().send("!info");
        assertThat(info(link)).containsEntry("protocol", "chat");
        closeNormally(link);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void echoes_four_byte_utf8_exactly(boolean deflate) throws Exception {
        Link link = connect(deflate, path("utf8"), List.of());
        List<String> texts = List.of("😀", "a😀b", "𝄞𝄞𝄞", "🀄".repeat(5000), "mixed é ß € 中 😀 𝄞 🀄 \u0000 end",
                "\uFEFFbom", "\uDBFF\uDFFF max code point");
        for (String text : texts) {
            link.socket().send(text);
            Object echo = link.events().message(SHORT).data();
            assertThat(echo).isInstanceOf(String.class);
            assertThat((String) echo).isEqualTo(text);
            Map<String, Object> ack = link.events().json(SHORT);
            assertThat(ack).containsEntry("len", (long) text.getBytes(StandardCharsets.UTF_8).length);
        }
        closeNormally(link);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void reassembles_fragmented_messages(boolean deflate) throws Exception {
        Link link = connect(deflate, path("fragments"), List.of());
        // text split inside a 4-byte character when the peer can, else on character boundaries
        String text = "ab😀cd😀" + "e".repeat(3000) + "𝄞";
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        List<byte[]> textParts = peerSplitsCharacters()
                ? List.of(Arrays.copyOfRange(t, 0, 3), Arrays.copyOfRange(t, 3, 5), new byte[0], Arrays.copyOfRange(t, 5, t.length))
                : List.of(Arrays.copyOfRange(t, 0, 2), Arrays.copyOfRange(t, 2, 6), new byte[0], Arrays.copyOfRange(t, 6, t.length));
        fragments(link, "text", textParts);
        assertThat(link.events().message(SHORT).data()).isEqualTo(text);

        byte[] b = Payloads.binary(200_000);
        fragments(link, "binary", List.of(Arrays.copyOfRange(b, 0, 10), new byte[0], Arrays.copyOfRange(b, 10, 70_010),
                Arrays.copyOfRange(b, 70_010, b.length)));
        Object data = link.events().message(LONG).data();
        assertThat(Payloads.kind(data)).isEqualTo("binary");
        assertThat(Payloads.sha256(Payloads.bytes(data))).isEqualTo(Payloads.sha256(b));

        // nothing else came: the next message answers the next command
        link.socket().send("!info");
        assertThat(info(link)).containsKey("protocol");
        closeNormally(link);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void keeps_order_of_interleaved_text_and_binary(boolean deflate) throws Exception {
        Link link = connect(deflate, path("order"), List.of());
        int n = 200;
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                link.socket().send("message " + i);
            } else {
                link.socket().send(("binary " + i).getBytes(StandardCharsets.US_ASCII));
            }
        }
        for (int i = 0; i < n; i++) {
            Object echo = link.events().message(SHORT).data();
            assertThat(new String(Payloads.bytes(echo), StandardCharsets.UTF_8)).isEqualTo((i % 2 == 0 ? "message " : "binary ") + i);
            assertThat(Payloads.kind(echo)).isEqualTo(i % 2 == 0 ? "text" : "binary");
            link.events().json(SHORT);
        }
        closeNormally(link);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void peer_closes_with_code_and_reason(boolean deflate) throws Exception {
        Link link = connect(deflate, path("peer-close"), List.of());
        link.socket().send("!close " + Json.write(Map.of("code", 4001, "reason", "bye 👋")));
        CloseEvent close = link.events().awaitClose(SHORT);
        assertThat(close.code()).isEqualTo(4001);
        assertThat(close.reason()).isEqualTo("bye 👋");
        assertThat(close.wasClean()).isTrue();
        assertThat(link.events().sawError()).isFalse();
        assertThat(link.socket().readyState()).isEqualTo(WebSocket.CLOSED);
        Map<String, Object> peer = link.peerEvent("close", SHORT);
        assertThat(peer).containsEntry("code", 4001L);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void peer_closes_without_arguments(boolean deflate) throws Exception {
        Link link = connect(deflate, path("peer-close-bare"), List.of());
        link.socket().send("!close");
        CloseEvent close = link.events().awaitClose(SHORT);
        assertThat(close.code()).isEqualTo(peerBareCloseCode());
        assertThat(close.reason()).isEmpty();
        assertThat(close.wasClean()).isTrue();
        link.peerEvent("close", SHORT);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void duplex_closes_with_code_and_reason(boolean deflate) throws Exception {
        Link link = connect(deflate, path("duplex-close"), List.of());
        link.socket().close(4002, "done ✓");
        // CLOSING, unless the peer answered so fast that the close event was already delivered on
        // the event thread (readyState is what the delivered events imply); ReadyStateTest holds
        // the answer back to check CLOSING exactly.
        assertThat(link.socket().readyState()).isIn(WebSocket.CLOSING, WebSocket.CLOSED);
        CloseEvent close = link.events().awaitClose(SHORT);
        assertThat(close.code()).isEqualTo(4002);
        assertThat(close.reason()).isEqualTo("done ✓");
        assertThat(close.wasClean()).isTrue();
        Map<String, Object> peer = link.peerEvent("close", SHORT);
        assertThat(peer).containsEntry("code", 4002L).containsEntry("reason", "done ✓");
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void duplex_closes_without_arguments_sends_1000(boolean deflate) throws Exception {
        Link link = connect(deflate, path("duplex-close-bare"), List.of());
        link.socket().close();
        CloseEvent close = link.events().awaitClose(SHORT);
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.wasClean()).isTrue();
        assertThat(link.peerEvent("close", SHORT)).containsEntry("code", 1000L);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void abrupt_tcp_close_gives_1006(boolean deflate) throws Exception {
        Link link = connect(deflate, path("terminate"), List.of());
        link.socket().send("!terminate");
        CloseEvent close = link.events().awaitClose(SHORT);
        Env.report(peerName() + " abrupt close (deflate=" + deflate + "): Duplex events " + link.events().types());
        assertThat(close.code()).isEqualTo(1006);
        assertThat(close.wasClean()).isFalse();
        assertThat(link.socket().readyState()).isEqualTo(WebSocket.CLOSED);
    }

    // ---- helpers

    static void fragments(Link link, String type, List<byte[]> parts) {
        List<String> encoded = parts.stream().map(p -> Base64.getEncoder().encodeToString(p)).toList();
        Map<String, Object> arg = new LinkedHashMap<>();
        arg.put("type", type);
        arg.put("parts", encoded);
        link.socket().send("!frag " + Json.write(arg));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> info(Link link) {
        Map<String, Object> reply = link.events().json(SHORT);
        assertThat(reply).containsKey("info");
        return (Map<String, Object>) reply.get("info");
    }

    static void closeNormally(Link link) {
        link.socket().close(1000, "done");
        CloseEvent close = link.events().awaitClose(SHORT);
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.wasClean()).as("clean close after the exchange").isTrue();
        assertThat(link.peerEvent("close", SHORT)).containsEntry("code", 1000L);
    }
}
