package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.HttpHeadParserTest.parseRequest;
import static dev.duplex.internal.protocol.HttpHeadParserTest.parseResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientHandshakeTest {
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    static ClientHandshake handshake(List<String> protocols, String extensions) {
        return new ClientHandshake("server.example.com", "/chat", protocols, extensions, null,
                Map.of(), KEY);
    }

    static String text(ByteBuffer buffer) {
        return StandardCharsets.ISO_8859_1.decode(buffer).toString();
    }

    /** A 101 response with the right accept value plus {@code extra} header lines. */
    static String ok(String extra) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n" + extra + "\r\n";
    }

    static HandshakeException failure(ClientHandshake hs, String response) throws Exception {
        HttpHead head = parseResponse(response);
        try {
            HandshakeResponse result = hs.validate(head);
            throw new AssertionError("expected a HandshakeException, got " + result);
        } catch (HandshakeException e) {
            assertThat(e.httpStatus()).as("client-side errors carry no status").isZero();
            return e;
        }
    }

    @Nested
    class Keys {
        @Test
        void acceptForTheRfc6455Sample() {
            assertThat(ClientHandshake.acceptFor("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo(ACCEPT);
        }

        @Test
        void acceptForFromManyThreadsAtOnceMatchesAFreshDigest() throws Exception {
            // acceptFor reuses one SHA-1 per thread: threads must not see each other's state.
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int seed = t;
                    results.add(pool.submit(() -> {
                        Random random = new Random(seed);
                        for (int i = 0; i < 5_000; i++) {
                            String key = ClientHandshake.newKey(random);
                            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
                            String expected = Base64.getEncoder().encodeToString(sha1.digest(
                                    (key + ClientHandshake.GUID).getBytes(StandardCharsets.ISO_8859_1)));
                            assertThat(ClientHandshake.acceptFor(key)).isEqualTo(expected);
                        }
                        return 5_000;
                    }));
                }
                for (Future<Integer> r : results) {
                    assertThat(r.get()).isEqualTo(5_000);
                }
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void acceptForOtherKeys() {
            // computed independently with openssl: base64(sha1(key + GUID))
            assertThat(ClientHandshake.acceptFor("x3JJHMbDL1EzLkh9GBhXDw=="))
                    .isEqualTo("HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
            assertThat(ClientHandshake.acceptFor("AQIDBAUGBwgJCgsMDQ4PEA=="))
                    .isEqualTo("C/0nmHhBztSRGR1CwL6Tf4ZjwpY=");
            assertThat(ClientHandshake.GUID).isEqualTo("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
        }

        @Test
        void newKeyIsBase64OfSixteenBytesFromTheRandom() {
            String key = ClientHandshake.newKey(new Random(42));
            byte[] expected = new byte[16];
            new Random(42).nextBytes(expected);
            assertThat(key).hasSize(24).endsWith("==");
            assertThat(Base64.getDecoder().decode(key)).isEqualTo(expected);
            assertThat(ClientHandshake.newKey(new Random(43))).isNotEqualTo(key);
            assertThat(ClientHandshake.isValidKey(key)).isTrue();
        }

        @Test
        void validKeyCheck() {
            assertThat(ClientHandshake.isValidKey(KEY)).isTrue();
            assertThat(ClientHandshake.isValidKey("dGhlIHNhbXBsZSBub25jZQ")).isFalse();  // no padding
            assertThat(ClientHandshake.isValidKey(ACCEPT)).isFalse();                      // 20 bytes
            assertThat(ClientHandshake.isValidKey("dGhlIHNhbXBsZSBub25jZ===")).isFalse(); // 15 bytes
            assertThat(ClientHandshake.isValidKey("dGhlIHNhbXBsZSBub25j!Q==")).isFalse();
            assertThat(ClientHandshake.isValidKey("")).isFalse();
        }
    }

    @Nested
    class Request {
        @Test
        void fullRequestBytes() {
            Map<String, List<String>> extra = new LinkedHashMap<>();
            extra.put("Authorization", List.of("Bearer abc"));
            extra.put("Cookie", List.of("a=1", "b=2"));
            ClientHandshake hs = new ClientHandshake("server.example.com:8080", "/chat?x=1&y=%20",
                    List.of("chat", "superchat"), "permessage-deflate; client_max_window_bits",
                    "http://example.com", extra, KEY);
            assertThat(text(hs.request())).isEqualTo("GET /chat?x=1&y=%20 HTTP/1.1\r\n"
                    + "Host: server.example.com:8080\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Protocol: chat, superchat\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                    + "Origin: http://example.com\r\n"
                    + "Authorization: Bearer abc\r\n"
                    + "Cookie: a=1\r\n"
                    + "Cookie: b=2\r\n"
                    + "\r\n");
        }

        @Test
        void minimalRequestOmitsOptionalHeaders() {
            ClientHandshake hs = new ClientHandshake("h", "/", null, null, null, null, KEY);
            assertThat(text(hs.request())).isEqualTo("GET / HTTP/1.1\r\nHost: h\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            ClientHandshake empty = new ClientHandshake("h", "/", List.of(), "", null, Map.of(), KEY);
            assertThat(text(empty.request())).isEqualTo(text(hs.request()));
            assertThat(empty.protocols()).isEmpty();
            assertThat(empty.extensionsOffer()).isEmpty();
            assertThat(empty.origin()).isNull();
        }

        @Test
        void eachCallGivesAFreshBuffer() {
            ClientHandshake hs = handshake(List.of("chat"), null);
            ByteBuffer first = hs.request();
            int length = first.remaining();
            first.put(0, (byte) 'X');
            first.position(length);
            ByteBuffer second = hs.request();
            assertThat(second.position()).isZero();
            assertThat(second.remaining()).isEqualTo(length);
            assertThat(second.get(0)).isEqualTo((byte) 'G');
        }

        @Test
        void accessorsReturnTheInputs() {
            Map<String, List<String>> extra = new LinkedHashMap<>();
            extra.put("X-B", List.of("2"));
            extra.put("X-A", List.of("1"));
            ClientHandshake hs = new ClientHandshake("h:1", "/p", List.of("a", "b"), "e",
                    "https://o", extra, KEY);
            extra.put("X-C", List.of("3"));
            assertThat(hs.hostHeader()).isEqualTo("h:1");
            assertThat(hs.resourceName()).isEqualTo("/p");
            assertThat(hs.protocols()).containsExactly("a", "b");
            assertThat(hs.extensionsOffer()).isEqualTo("e");
            assertThat(hs.origin()).isEqualTo("https://o");
            assertThat(hs.key()).isEqualTo(KEY);
            assertThat(hs.extraHeaders().keySet()).containsExactly("X-B", "X-A");
            assertThatThrownBy(() -> hs.extraHeaders().put("Y", List.of()))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> hs.protocols().add("c"))
                    .isInstanceOf(UnsupportedOperationException.class);
        }

        @Test
        void requestPassesTheServerSideChecks() throws Exception {
            ClientHandshake hs = new ClientHandshake("example.com", "/a/b?c=d",
                    List.of("v1.chat", "v2.chat"), "permessage-deflate", "http://example.com",
                    Map.of("X-Token", List.of("t")), ClientHandshake.newKey(new Random(1)));
            UpgradeRequest req = ServerHandshake.validate(parseRequest(text(hs.request())));
            assertThat(req.key()).isEqualTo(hs.key());
            assertThat(req.path()).isEqualTo("/a/b");
            assertThat(req.query()).isEqualTo("c=d");
            assertThat(req.protocols()).containsExactly("v1.chat", "v2.chat");
            assertThat(req.extensionsOffer()).isEqualTo("permessage-deflate");
            assertThat(req.origin()).isEqualTo("http://example.com");
            assertThat(req.head().header("x-token")).isEqualTo("t");
        }

        @Test
        void fullRoundTripThroughTheServer() throws Exception {
            ClientHandshake hs = new ClientHandshake("example.com", "/", List.of("a", "b"),
                    "permessage-deflate; client_max_window_bits, x-foo", null, null,
                    ClientHandshake.newKey(new Random(7)));
            UpgradeRequest req = ServerHandshake.validate(parseRequest(text(hs.request())));
            ByteBuffer answer = ServerHandshake.accept(req.key(), "b",
                    "permessage-deflate; server_no_context_takeover", Map.of());
            HandshakeResponse res = hs.validate(parseResponse(text(answer)));
            assertThat(res.protocol()).isEqualTo("b");
            assertThat(res.extensions()).isEqualTo("permessage-deflate; server_no_context_takeover");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "chat", "/chat now", "/chat#frag", "/caf\u00e9", "/a\tb",
                "http://h/"})
        void invalidResourceNames(String resource) {
            assertThatThrownBy(() -> new ClientHandshake("h", resource, null, null, null, null, KEY))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("resource name");
        }

        @Test
        void invalidArguments() {
            assertThatThrownBy(() -> new ClientHandshake("", "/", null, null, null, null, KEY))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Host");
            assertThatThrownBy(() -> new ClientHandshake("h\r\nX: y", "/", null, null, null, null, KEY))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new ClientHandshake("h", "/", List.of("a b"), null, null, null, KEY))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
            assertThatThrownBy(() -> new ClientHandshake("h", "/", List.of(""), null, null, null, KEY))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new ClientHandshake("h", "/", List.of("a", "a"), null, null, null, KEY))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
            assertThatThrownBy(() -> new ClientHandshake("h", "/", null, "x\r\n", null, null, KEY))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new ClientHandshake("h", "/", null, null, "o\nX: y", null, KEY))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Origin");
            assertThatThrownBy(() -> new ClientHandshake("h", "/", null, null, null, null, "short"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes");
            assertThatThrownBy(() -> new ClientHandshake(null, "/", null, null, null, null, KEY))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> new ClientHandshake("h", "/", null, null, null, null, null))
                    .isInstanceOf(NullPointerException.class);
        }

        @ParameterizedTest
        @ValueSource(strings = {"Host", "upgrade", "CONNECTION", "Sec-WebSocket-Key",
                "sec-websocket-version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions",
                "Sec-WebSocket-Accept"})
        void extraHeadersMayNotOverrideTheHandshake(String name) {
            assertThatThrownBy(() -> new ClientHandshake("h", "/", null, null, null,
                    Map.of(name, List.of("x")), KEY))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(name);
        }

        @Test
        void extraHeaderChecks() {
            assertThatThrownBy(() -> new ClientHandshake("h", "/", null, null, "http://a",
                    Map.of("origin", List.of("http://b")), KEY))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Origin");
            ClientHandshake viaExtra = new ClientHandshake("h", "/", null, null, null,
                    Map.of("Origin", List.of("http://b")), KEY);
            assertThat(text(viaExtra.request())).contains("\r\nOrigin: http://b\r\n");
            assertThatThrownBy(() -> new ClientHandshake("h", "/", null, null, null,
                    Map.of("Bad Name", List.of("x")), KEY))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
            assertThatThrownBy(() -> new ClientHandshake("h", "/", null, null, null,
                    Map.of("X", List.of("a\r\nInjected: yes")), KEY))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new ClientHandshake("h", "/", null, null, null,
                    Map.of("X", List.of("\u20ac")), KEY))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Validate {
        @Test
        void rfcSampleResponse() throws Exception {
            ClientHandshake hs = handshake(List.of("chat", "superchat"), null);
            HttpHead head = parseResponse(ok("Sec-WebSocket-Protocol: chat\r\n"));
            HandshakeResponse res = hs.validate(head);
            assertThat(res.protocol()).isEqualTo("chat");
            assertThat(res.extensions()).isEmpty();
            assertThat(res.head()).isSameAs(head);
        }

        @Test
        void noSubprotocolSelectedGivesEmptyProtocolEvenWhenOffered() throws Exception {
            HandshakeResponse res = handshake(List.of("chat"), null).validate(parseResponse(ok("")));
            assertThat(res.protocol()).isEmpty();
            assertThat(handshake(null, null).validate(parseResponse(ok(""))).protocol()).isEmpty();
        }

        @Test
        void secondOfferedProtocolMayBeSelected() throws Exception {
            assertThat(handshake(List.of("chat", "superchat"), null)
                    .validate(parseResponse(ok("Sec-WebSocket-Protocol:  superchat \r\n")))
                    .protocol()).isEqualTo("superchat");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nconnection: upgrade\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nUPGRADE: WEBSOCKET\r\nCONNECTION: UPGRADE\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo, websocket\r\nConnection: keep-alive, Upgrade\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nUpgrade: websocket\r\nConnection: close\r\nConnection: Upgrade\r\n",
            "HTTP/1.1 101 OK\r\nUpgrade:websocket\r\nConnection:Upgrade\r\n",
            "HTTP/1.1 101\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
        })
        void upgradeAndConnectionTokenVariantsAreAccepted(String start) throws Exception {
            HandshakeResponse res = handshake(null, null).validate(parseResponse(start
                    + "sec-websocket-accept: " + ACCEPT + "\r\n\r\n"));
            assertThat(res.protocol()).isEmpty();
        }

        @Test
        void non101StatusNamesTheStatusLine() throws Exception {
            HandshakeException e = failure(handshake(null, null),
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            assertThat(e.getMessage()).isEqualTo(
                    "Server answered HTTP 404 Not Found instead of 101 Switching Protocols");
            assertThat(failure(handshake(null, null), "HTTP/1.1 200 OK\r\n\r\n").getMessage())
                    .isEqualTo("Server answered HTTP 200 OK instead of 101 Switching Protocols");
            assertThat(failure(handshake(null, null), "HTTP/1.1 500\r\n\r\n").getMessage())
                    .isEqualTo("Server answered HTTP 500 instead of 101 Switching Protocols");
        }

        @Test
        void non101StatusFailsEvenWithAValidHandshake() throws Exception {
            HandshakeException e = failure(handshake(null, null),
                    ok("").replace("101 Switching Protocols", "200 OK"));
            assertThat(e.getMessage()).startsWith("Server answered HTTP 200 OK");
        }

        @Test
        void redirectIncludesTheLocation() throws Exception {
            HandshakeException e = failure(handshake(null, null),
                    "HTTP/1.1 302 Found\r\nLocation: wss://other.example.com/chat\r\n\r\n");
            assertThat(e.getMessage())
                    .startsWith("Server answered HTTP 302 Found instead of 101 Switching Protocols")
                    .contains("wss://other.example.com/chat");
            HandshakeException noLocation = failure(handshake(null, null),
                    "HTTP/1.1 301 Moved Permanently\r\n\r\n");
            assertThat(noLocation.getMessage()).contains("301 Moved Permanently")
                    .contains("without a Location");
        }

        @Test
        void missingUpgrade() throws Exception {
            HandshakeException e = failure(handshake(null, null),
                    "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n\r\n");
            assertThat(e.getMessage()).contains("no Upgrade header");
        }

        @ParameterizedTest
        @ValueSource(strings = {"h2c", "websocket2", "web socket", "websocket/13", "ws"})
        void wrongUpgrade(String upgrade) throws Exception {
            HandshakeException e = failure(handshake(null, null),
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: " + upgrade
                            + "\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + ACCEPT + "\r\n\r\n");
            assertThat(e.getMessage()).isEqualTo("Server response Upgrade header is \"" + upgrade
                    + "\", expected \"websocket\"");
        }

        @Test
        void missingConnection() throws Exception {
            HandshakeException e = failure(handshake(null, null),
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n\r\n");
            assertThat(e.getMessage()).contains("no Connection header");
        }

        @ParameterizedTest
        @ValueSource(strings = {"keep-alive", "close", "Upgraded", "upgrade-insecure", "keep-alive; upgrade"})
        void wrongConnection(String connection) throws Exception {
            HandshakeException e = failure(handshake(null, null),
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                            + connection + "\r\nSec-WebSocket-Accept: " + ACCEPT + "\r\n\r\n");
            assertThat(e.getMessage()).contains("Connection header is \"" + connection + "\"");
        }

        @Test
        void wrongAccept() throws Exception {
            String wrong = ClientHandshake.acceptFor("AQIDBAUGBwgJCgsMDQ4PEA==");
            HandshakeException e = failure(handshake(null, null), ok("").replace(ACCEPT, wrong));
            assertThat(e.getMessage()).isEqualTo(
                    "Sec-WebSocket-Accept mismatch (expected " + ACCEPT + ", got " + wrong + ")");
        }

        @Test
        void acceptIsCaseSensitive() throws Exception {
            HandshakeException e = failure(handshake(null, null),
                    ok("").replace(ACCEPT, ACCEPT.toLowerCase(java.util.Locale.ROOT)));
            assertThat(e.getMessage()).startsWith("Sec-WebSocket-Accept mismatch");
        }

        @Test
        void acceptComputedFromTheKeyNotEchoed() throws Exception {
            HandshakeException e = failure(handshake(null, null), ok("").replace(ACCEPT, KEY));
            assertThat(e.getMessage()).startsWith("Sec-WebSocket-Accept mismatch");
        }

        @Test
        void missingAccept() throws Exception {
            HandshakeException e = failure(handshake(null, null),
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            assertThat(e.getMessage()).isEqualTo("Server response has no Sec-WebSocket-Accept header");
        }

        @Test
        void twoAccepts() throws Exception {
            HandshakeException e = failure(handshake(null, null),
                    ok("Sec-WebSocket-Accept: " + ACCEPT + "\r\n"));
            assertThat(e.getMessage()).contains("2 Sec-WebSocket-Accept headers");
        }

        @Test
        void unofferedProtocol() throws Exception {
            HandshakeException e = failure(handshake(List.of("chat"), null),
                    ok("Sec-WebSocket-Protocol: x\r\n"));
            assertThat(e.getMessage()).startsWith(
                    "Server selected subprotocol \"x\" which the client did not offer");
        }

        @Test
        void protocolMatchIsCaseSensitive() throws Exception {
            HandshakeException e = failure(handshake(List.of("chat"), null),
                    ok("Sec-WebSocket-Protocol: Chat\r\n"));
            assertThat(e.getMessage()).contains("\"Chat\" which the client did not offer");
        }

        @Test
        void protocolWhenNoneOffered() throws Exception {
            HandshakeException e = failure(handshake(null, null), ok("Sec-WebSocket-Protocol: chat\r\n"));
            assertThat(e.getMessage()).isEqualTo(
                    "Server selected subprotocol \"chat\" although the client offered none");
        }

        @Test
        void twoProtocolsInOneHeader() throws Exception {
            HandshakeException e = failure(handshake(List.of("chat", "superchat"), null),
                    ok("Sec-WebSocket-Protocol: chat, superchat\r\n"));
            assertThat(e.getMessage()).contains("several subprotocols").contains("chat, superchat");
        }

        @Test
        void twoProtocolHeaders() throws Exception {
            HandshakeException e = failure(handshake(List.of("chat", "superchat"), null),
                    ok("Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat\r\n"));
            assertThat(e.getMessage()).contains("2 Sec-WebSocket-Protocol headers");
        }

        @Test
        void emptyProtocolHeader() throws Exception {
            HandshakeException e = failure(handshake(List.of("chat"), null),
                    ok("Sec-WebSocket-Protocol: \r\n"));
            assertThat(e.getMessage()).contains("empty Sec-WebSocket-Protocol");
        }

        @Test
        void extensionsOk() throws Exception {
            ClientHandshake hs = handshake(null,
                    "permessage-deflate; client_max_window_bits, permessage-deflate, x-webkit");
            HandshakeResponse res = hs.validate(parseResponse(
                    ok("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=10\r\n")));
            assertThat(res.extensions()).isEqualTo(
                    "permessage-deflate; server_no_context_takeover; client_max_window_bits=10");
        }

        @Test
        void repeatedExtensionHeadersAreJoined() throws Exception {
            ClientHandshake hs = handshake(null, "a, b; x=1");
            HandshakeResponse res = hs.validate(parseResponse(ok(
                    "Sec-WebSocket-Extensions: a\r\nSec-WebSocket-Extensions: b; y=\"1, c\"\r\n")));
            assertThat(res.extensions()).isEqualTo("a, b; y=\"1, c\"");
        }

        @Test
        void noExtensionsGivesEmptyString() throws Exception {
            assertThat(handshake(null, "permessage-deflate").validate(parseResponse(ok("")))
                    .extensions()).isEmpty();
        }

        @Test
        void unofferedExtension() throws Exception {
            HandshakeException e = failure(handshake(null, "permessage-deflate"),
                    ok("Sec-WebSocket-Extensions: permessage-deflate, x-custom; a=b\r\n"));
            assertThat(e.getMessage()).startsWith(
                    "Server accepted extension \"x-custom\" which the client did not offer");
        }

        @Test
        void extensionWhenNoneOffered() throws Exception {
            HandshakeException e = failure(handshake(null, null),
                    ok("Sec-WebSocket-Extensions: permessage-deflate\r\n"));
            assertThat(e.getMessage()).isEqualTo(
                    "Server accepted extension \"permessage-deflate\" which the client did not offer");
        }

        @Test
        void extensionParameterNameIsNotAnExtension() throws Exception {
            // "client_max_window_bits" is a parameter in our offer, not an extension name
            HandshakeException e = failure(handshake(null, "permessage-deflate; client_max_window_bits"),
                    ok("Sec-WebSocket-Extensions: client_max_window_bits\r\n"));
            assertThat(e.getMessage()).contains("\"client_max_window_bits\"");
        }

        @Test
        void malformedExtensionHeader() throws Exception {
            HandshakeException e = failure(handshake(null, "permessage-deflate"),
                    ok("Sec-WebSocket-Extensions: ; x=1\r\n"));
            assertThat(e.getMessage()).contains("Malformed Sec-WebSocket-Extensions");
        }

        @Test
        void extensionNamesParsing() {
            assertThat(ClientHandshake.extensionNames(
                    "permessage-deflate; client_max_window_bits, foo ;a=\"x,y\",bar"))
                    .containsExactly("permessage-deflate", "foo", "bar");
        }

        @Test
        void requestHeadIsRejected() throws Exception {
            HttpHead request = parseRequest("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThatThrownBy(() -> handshake(null, null).validate(request))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void responseFromHttpHeadParserWithPipelinedFrame() throws Exception {
            ClientHandshake hs = handshake(null, null);
            byte[] head = ok("").getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer in = ByteBuffer.allocate(head.length + 4);
            in.put(head).put(new byte[] {(byte) 0x81, 0x02, 'h', 'i'}).flip();
            HttpHead parsed = HttpHeadParser.forResponses(1024, 8192, 64).feed(in);
            assertThat(hs.validate(parsed).protocol()).isEmpty();
            assertThat(in.remaining()).isEqualTo(4);
            assertThat(in.get()).isEqualTo((byte) 0x81);
        }
    }
}
