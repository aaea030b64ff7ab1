package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.HttpHeadParserTest.parseRequest;
import static dev.duplex.internal.protocol.HttpHeadParserTest.parseResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServerHandshakeTest {
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    /** The RFC 6455 §1.2 sample request, with the request line and headers replaceable. */
    static String request(String requestLine, String... replacements) {
        String head = requestLine + "\r\n"
                + "Host: server.example.com\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\n"
                + "Origin: http://example.com\r\n"
                + "Sec-WebSocket-Protocol: chat, superchat\r\n"
                + "Sec-WebSocket-Version: 13\r\n";
        for (int i = 0; i < replacements.length; i += 2) {
            assertThat(head).contains(replacements[i]);
            head = head.replace(replacements[i], replacements[i + 1]);
        }
        return head + "\r\n";
    }

    static String sample(String... replacements) {
        return request("GET /chat HTTP/1.1", replacements);
    }

    static UpgradeRequest valid(String request) throws Exception {
        return ServerHandshake.validate(parseRequest(request));
    }

    static HandshakeException failure(String request) throws Exception {
        HttpHead head = parseRequest(request);
        try {
            UpgradeRequest result = ServerHandshake.validate(head);
            throw new AssertionError("expected a HandshakeException, got " + result);
        } catch (HandshakeException e) {
            return e;
        }
    }

    static String text(ByteBuffer buffer) {
        return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }

    @Nested
    class Validate {
        @Test
        void rfcSampleRequest() throws Exception {
            UpgradeRequest req = valid(sample());
            assertThat(req.key()).isEqualTo(KEY);
            assertThat(req.path()).isEqualTo("/chat");
            assertThat(req.query()).isEmpty();
            assertThat(req.protocols()).containsExactly("chat", "superchat");
            assertThat(req.extensionsOffer()).isEmpty();
            assertThat(req.origin()).isEqualTo("http://example.com");
            assertThat(req.host()).isEqualTo("server.example.com");
            assertThat(req.head().header("Sec-WebSocket-Version")).isEqualTo("13");
            assertThatThrownBy(() -> req.protocols().add("x"))
                    .isInstanceOf(UnsupportedOperationException.class);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "/chat?room=1&x=%20 | /chat | room=1&x=%20",
            "/?                 | /     | ''",
            "/                  | /     | ''",
            "/a%2Fb/c?q?r=/     | /a%2Fb/c | q?r=/",
            "//double           | //double | ''",
            "ws://example.com/chat?x=1 | /chat | x=1",
            "wss://example.com:443/a/b | /a/b  | ''",
            "WS://example.com          | /     | ''",
            "http://example.com?x      | /     | x",
            "https://user@example.com:8443/p?q | /p | q",
        })
        void targets(String target, String path, String query) throws Exception {
            UpgradeRequest req = valid(request("GET " + target + " HTTP/1.1"));
            assertThat(req.path()).isEqualTo(path);
            assertThat(req.query()).isEqualTo(query);
        }

        @ParameterizedTest
        @ValueSource(strings = {"*", "example.com:80", "chat", "ftp://example.com/x",
                "ws:///chat", "ws://", "/chat#frag", "ws://h/p#f", "://h/p", "ws:/h/p"})
        void invalidTargetsAre400(String target) throws Exception {
            HandshakeException e = failure(request("GET " + target + " HTTP/1.1"));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains("request target");
        }

        @Test
        void headerVariantsAreAccepted() throws Exception {
            UpgradeRequest req = valid(sample("Upgrade: websocket", "upgrade: WebSocket",
                    "Connection: Upgrade", "connection: keep-alive, UPGRADE"));
            assertThat(req.key()).isEqualTo(KEY);
            assertThat(valid(sample("Upgrade: websocket", "Upgrade: foo, websocket")).key())
                    .isEqualTo(KEY);
            assertThat(valid(sample("Connection: Upgrade",
                    "Connection: keep-alive\r\nConnection: Upgrade")).key()).isEqualTo(KEY);
        }

        @Test
        void laterHttpVersionIsAccepted() throws Exception {
            assertThat(valid(request("GET /chat HTTP/1.2")).path()).isEqualTo("/chat");
        }

        @Test
        void noOriginNoProtocols() throws Exception {
            UpgradeRequest req = valid(sample("Origin: http://example.com\r\n", "",
                    "Sec-WebSocket-Protocol: chat, superchat\r\n", ""));
            assertThat(req.origin()).isNull();
            assertThat(req.protocols()).isEmpty();
        }

        @Test
        void protocolsFromSeveralHeadersKeepOrderAndSkipEmptyElements() throws Exception {
            UpgradeRequest req = valid(sample("Sec-WebSocket-Protocol: chat, superchat",
                    "Sec-WebSocket-Protocol: b, ,a\r\nSec-WebSocket-Protocol: \r\n"
                            + "sec-websocket-protocol:c ,\tb"));
            assertThat(req.protocols()).containsExactly("b", "a", "c", "b");
        }

        @ParameterizedTest
        @ValueSource(strings = {"chat/1", "a b", "\"chat\"", "caf\u00e9", "chat;v=1", "x@y"})
        void protocolsMustBeTokens(String protocol) throws Exception {
            HandshakeException e = failure(sample("chat, superchat", "chat, " + protocol));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains("subprotocol");
        }

        @Test
        void extensionsOfferJoinsAllHeaders() throws Exception {
            UpgradeRequest req = valid(sample("Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Version: 13\r\n"
                            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                            + "Sec-WebSocket-Extensions: x-foo"));
            assertThat(req.extensionsOffer())
                    .isEqualTo("permessage-deflate; client_max_window_bits, x-foo");
        }

        @ParameterizedTest
        @ValueSource(strings = {"POST", "HEAD", "PUT", "get", "OPTIONS"})
        void nonGetIs405(String method) throws Exception {
            HandshakeException e = failure(request(method + " /chat HTTP/1.1"));
            assertThat(e.httpStatus()).isEqualTo(405);
            assertThat(e.getMessage()).isEqualTo("Method " + method
                    + " not allowed: a WebSocket handshake is a GET request");
        }

        @Test
        void http10Is400() throws Exception {
            HandshakeException e = failure(request("GET /chat HTTP/1.0"));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains("HTTP/1.1").contains("HTTP/1.0");
        }

        @Test
        void missingHostIs400() throws Exception {
            HandshakeException e = failure(sample("Host: server.example.com\r\n", ""));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).isEqualTo("Missing Host header");
        }

        @Test
        void twoHostsIs400() throws Exception {
            HandshakeException e = failure(sample("Host: server.example.com",
                    "Host: a\r\nHost: b"));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains("Host");
        }

        @Test
        void emptyHostIs400() throws Exception {
            HandshakeException e = failure(sample("Host: server.example.com", "Host: "));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).isEqualTo("Empty Host header");
        }

        @Test
        void plainHttpRequestIs426() throws Exception {
            HandshakeException e = failure("GET /chat HTTP/1.1\r\nHost: example.com\r\n"
                    + "Accept: text/html\r\n\r\n");
            assertThat(e.httpStatus()).isEqualTo(426);
            assertThat(e.getMessage()).isEqualTo("Upgrade Required: this is a WebSocket endpoint");
            assertThat(failure(sample("Upgrade: websocket\r\n", "")).httpStatus()).isEqualTo(426);
        }

        @ParameterizedTest
        @ValueSource(strings = {"h2c", "websocket2", "WebSocket/13", "", "TLS/1.0, HTTP/1.1"})
        void otherUpgradeIs400(String upgrade) throws Exception {
            HandshakeException e = failure(sample("Upgrade: websocket", "Upgrade: " + upgrade));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).isEqualTo(
                    "Upgrade header is \"" + upgrade + "\", expected \"websocket\"");
        }

        @Test
        void missingConnectionIs400() throws Exception {
            HandshakeException e = failure(sample("Connection: Upgrade\r\n", ""));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains("Missing Connection header");
        }

        @ParameterizedTest
        @ValueSource(strings = {"keep-alive", "close", "upgraded", "Upgrade-Insecure"})
        void connectionWithoutUpgradeIs400(String connection) throws Exception {
            HandshakeException e = failure(sample("Connection: Upgrade", "Connection: " + connection));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains("\"" + connection + "\"").contains("Upgrade");
        }

        @Test
        void missingVersionIs426() throws Exception {
            HandshakeException e = failure(sample("Sec-WebSocket-Version: 13\r\n", ""));
            assertThat(e.httpStatus()).isEqualTo(426);
            assertThat(e.getMessage()).contains("Missing Sec-WebSocket-Version").contains("13");
        }

        @ParameterizedTest
        @ValueSource(strings = {"8", "7", "14", "13, 8", "8, 13", "013", ""})
        void otherVersionIs426(String version) throws Exception {
            HandshakeException e = failure(sample("Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Version: " + version));
            assertThat(e.httpStatus()).isEqualTo(426);
            assertThat(e.getMessage()).startsWith("Unsupported Sec-WebSocket-Version \"" + version + "\"");
        }

        @Test
        void twoVersionHeadersIs426() throws Exception {
            HandshakeException e = failure(sample("Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Version: 13"));
            assertThat(e.httpStatus()).isEqualTo(426);
        }

        @Test
        void oldDraftWithoutKeyLearnsTheVersion() throws Exception {
            // hybi-00 style: Sec-WebSocket-Key1/Key2, no Sec-WebSocket-Version
            HandshakeException e = failure("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: WebSocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
                    + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n");
            assertThat(e.httpStatus()).isEqualTo(426);
        }

        @Test
        void missingKeyIs400() throws Exception {
            HandshakeException e = failure(sample("Sec-WebSocket-Key: " + KEY + "\r\n", ""));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).isEqualTo("Missing Sec-WebSocket-Key header");
        }

        @Test
        void twoKeysIs400() throws Exception {
            HandshakeException e = failure(sample("Sec-WebSocket-Key: " + KEY,
                    "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Key: " + KEY));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains("Several Sec-WebSocket-Key");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "dGhlIHNhbXBsZSBub25jZQ",            // no padding
            "dGhlIHNhbXBsZSBub25jZ===",          // 15 bytes
            "dGhlIHNhbXBsZSBub25jZQ==AAAA",      // 19 bytes
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",      // 20 bytes
            "dGhlIHNhbXBsZSBub25j*Q==",          // not base64
            "dGhlIHNhbXBsZSBub25jZQ==, dGhlIHNhbXBsZSBub25jZQ==",
            "",
            "not a key",
        })
        void invalidKeyIs400(String key) throws Exception {
            HandshakeException e = failure(sample("Sec-WebSocket-Key: " + KEY,
                    "Sec-WebSocket-Key: " + key));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).startsWith("Invalid Sec-WebSocket-Key").contains("16 bytes");
        }

        @Test
        void responseHeadIsRejected() throws Exception {
            HttpHead head = parseResponse("HTTP/1.1 200 OK\r\n\r\n");
            assertThatThrownBy(() -> ServerHandshake.validate(head))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Accept {
        @Test
        void rfcSampleAnswer() {
            ByteBuffer out = ServerHandshake.accept(KEY, "chat", null, null);
            assertThat(text(out)).isEqualTo("HTTP/1.1 101 Switching Protocols\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                    + "Sec-WebSocket-Protocol: chat\r\n"
                    + "\r\n");
            assertThat(out.position()).isZero();
        }

        @Test
        void optionalHeadersAndExtras() {
            Map<String, List<String>> extra = new LinkedHashMap<>();
            extra.put("Set-Cookie", List.of("a=1", "b=2"));
            extra.put("X-Server", List.of("duplex"));
            assertThat(text(ServerHandshake.accept(KEY, "", "permessage-deflate; server_no_context_takeover", extra)))
                    .isEqualTo("HTTP/1.1 101 Switching Protocols\r\n"
                            + "Upgrade: websocket\r\n"
                            + "Connection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                            + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n"
                            + "Set-Cookie: a=1\r\n"
                            + "Set-Cookie: b=2\r\n"
                            + "X-Server: duplex\r\n"
                            + "\r\n");
            assertThat(text(ServerHandshake.accept(KEY, null, "", Map.of())))
                    .doesNotContain("Sec-WebSocket-Protocol").doesNotContain("Sec-WebSocket-Extensions");
        }

        @Test
        void answerValidatesOnTheClient() throws Exception {
            ClientHandshake client = new ClientHandshake("h", "/", List.of("chat"), null, null, null, KEY);
            HandshakeResponse res = client.validate(parseResponse(text(
                    ServerHandshake.accept(KEY, "chat", null, Map.of("X", List.of("1"))))));
            assertThat(res.protocol()).isEqualTo("chat");
            assertThat(res.head().header("x")).isEqualTo("1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Upgrade", "connection", "Sec-WebSocket-Accept",
                "sec-websocket-protocol", "Sec-WebSocket-Extensions", "Content-Length",
                "Transfer-Encoding"})
        void reservedExtraHeadersAreRefused(String name) {
            assertThatThrownBy(() -> ServerHandshake.accept(KEY, null, null, Map.of(name, List.of("x"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
        }

        @Test
        void invalidArguments() {
            assertThatThrownBy(() -> ServerHandshake.accept(KEY, "a b", null, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
            assertThatThrownBy(() -> ServerHandshake.accept(KEY, null, "x\r\nY: z", null))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ServerHandshake.accept(KEY, null, null,
                    Map.of("X", List.of("a\nb")))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ServerHandshake.accept(KEY, null, null,
                    Map.of("X:Y", List.of("a")))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ServerHandshake.accept(null, null, null, null))
                    .isInstanceOf(NullPointerException.class);
        }
    }

    @Nested
    class Reject {
        @Test
        void exactBytes() {
            assertThat(text(ServerHandshake.reject(403, "forbidden", null))).isEqualTo(
                    "HTTP/1.1 403 Forbidden\r\n"
                            + "Content-Type: text/plain; charset=utf-8\r\n"
                            + "Content-Length: 9\r\n"
                            + "Connection: close\r\n"
                            + "\r\n"
                            + "forbidden");
        }

        @Test
        void nullBodyIsEmpty() {
            assertThat(text(ServerHandshake.reject(404, null, Map.of()))).isEqualTo(
                    "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n"
                            + "Content-Length: 0\r\nConnection: close\r\n\r\n");
        }

        @Test
        void contentLengthCountsUtf8Bytes() throws Exception {
            ByteBuffer out = ServerHandshake.reject(400, "h\u00e9\u20ac\ud83d\ude00", null);
            String s = text(out);
            assertThat(s).contains("Content-Length: 10\r\n").endsWith("\r\n\r\nh\u00e9\u20ac\ud83d\ude00");
            HttpHeadParser parser = HttpHeadParser.forResponses(100, 1000, 10);
            HttpHead head = parser.feed(out);
            assertThat(head.status()).isEqualTo(400);
            assertThat(head.reasonPhrase()).isEqualTo("Bad Request");
            assertThat(out.remaining()).isEqualTo(Integer.parseInt(head.header("Content-Length")));
        }

        @Test
        void extraHeadersFollowAndMayOverrideContentTypeAndExtendConnection() {
            Map<String, List<String>> extra = new LinkedHashMap<>();
            extra.put("WWW-Authenticate", List.of("Bearer"));
            extra.put("content-type", List.of("text/html"));
            extra.put("Connection", List.of("x-custom"));
            assertThat(text(ServerHandshake.reject(401, "<p>no</p>", extra))).isEqualTo(
                    "HTTP/1.1 401 Unauthorized\r\n"
                            + "Content-Length: 9\r\n"
                            + "Connection: x-custom, close\r\n"
                            + "WWW-Authenticate: Bearer\r\n"
                            + "content-type: text/html\r\n"
                            + "\r\n<p>no</p>");
            assertThat(text(ServerHandshake.reject(503, "", Map.of("Connection", List.of("Close")))))
                    .contains("Connection: Close\r\n").doesNotContain("close");
        }

        @Test
        void redirect() {
            assertThat(text(ServerHandshake.reject(307, null, Map.of("Location", List.of("/other")))))
                    .startsWith("HTTP/1.1 307 Temporary Redirect\r\n")
                    .contains("\r\nLocation: /other\r\n");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Content-Length", "transfer-encoding"})
        void bodyFramingHeadersAreRefused(String name) {
            assertThatThrownBy(() -> ServerHandshake.reject(400, "x", Map.of(name, List.of("1"))))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 101, 199, 600, -1})
        void statusOutOfRange(int status) {
            assertThatThrownBy(() -> ServerHandshake.reject(status, "x", null))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @ParameterizedTest
        @CsvSource({"400,Bad Request", "401,Unauthorized", "403,Forbidden", "404,Not Found",
                "405,Method Not Allowed", "414,URI Too Long", "426,Upgrade Required",
                "429,Too Many Requests", "431,Request Header Fields Too Large",
                "500,Internal Server Error", "503,Service Unavailable", "101,Switching Protocols",
                "302,Found", "499,Error", "599,Error"})
        void reasonPhrases(int status, String phrase) {
            assertThat(ServerHandshake.reasonPhrase(status)).isEqualTo(phrase);
        }

        @Test
        void rejectFor426CarriesVersionAndUpgrade() throws Exception {
            ByteBuffer out = ServerHandshake.rejectFor(failure(sample("Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Version: 8")));
            HttpHead head = HttpHeadParser.forResponses(100, 1000, 10).feed(out);
            assertThat(head.status()).isEqualTo(426);
            assertThat(head.reasonPhrase()).isEqualTo("Upgrade Required");
            assertThat(head.headers("Sec-WebSocket-Version")).containsExactly("13");
            assertThat(head.header("Upgrade")).isEqualTo("websocket");
            assertThat(head.hasToken("Connection", "upgrade")).isTrue();
            assertThat(head.hasToken("Connection", "close")).isTrue();
            assertThat(StandardCharsets.UTF_8.decode(out).toString()).isEqualTo(
                    "Unsupported Sec-WebSocket-Version \"8\" (this server supports version 13)\n");
        }

        @Test
        void rejectFor405CarriesAllow() throws Exception {
            ByteBuffer out = ServerHandshake.rejectFor(failure(request("POST /chat HTTP/1.1")));
            HttpHead head = HttpHeadParser.forResponses(100, 1000, 10).feed(out);
            assertThat(head.status()).isEqualTo(405);
            assertThat(head.header("Allow")).isEqualTo("GET");
            assertThat(head.header("Sec-WebSocket-Version")).isNull();
        }

        @Test
        void rejectForParserLimits() throws Exception {
            HandshakeException tooLong = null;
            try {
                HttpHeadParser.forRequests(10, 1000, 10).feed(
                        ByteBuffer.wrap("GET /0123456789 HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1)));
            } catch (HandshakeException e) {
                tooLong = e;
            }
            assertThat(tooLong).isNotNull();
            assertThat(text(ServerHandshake.rejectFor(tooLong)))
                    .startsWith("HTTP/1.1 414 URI Too Long\r\n")
                    .endsWith("\r\n\r\n" + tooLong.getMessage() + "\n")
                    .doesNotContain("Allow").doesNotContain("Sec-WebSocket-Version");
            assertThat(text(ServerHandshake.rejectFor(new HandshakeException("big", 431))))
                    .startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n")
                    .endsWith("\r\n\r\nbig\n");
        }

        @Test
        void rejectForWithoutUsableStatusIs400() {
            assertThat(text(ServerHandshake.rejectFor(new HandshakeException("oops"))))
                    .isEqualTo("HTTP/1.1 400 Bad Request\r\n"
                            + "Content-Type: text/plain; charset=utf-8\r\n"
                            + "Content-Length: 5\r\n"
                            + "Connection: close\r\n"
                            + "\r\n"
                            + "oops\n");
            assertThat(text(ServerHandshake.rejectFor(new HandshakeException("x", 302))))
                    .startsWith("HTTP/1.1 400 Bad Request\r\n");
            assertThat(text(ServerHandshake.rejectFor(new HandshakeException("x", 503))))
                    .startsWith("HTTP/1.1 503 Service Unavailable\r\n");
        }

        @Test
        void rejectForPlainHttpRequest() throws Exception {
            HandshakeException e = failure("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            String out = text(ServerHandshake.rejectFor(e));
            assertThat(out).startsWith("HTTP/1.1 426 Upgrade Required\r\n")
                    .contains("\r\nSec-WebSocket-Version: 13\r\n")
                    .endsWith("\r\n\r\nUpgrade Required: this is a WebSocket endpoint\n");
        }
    }
}
