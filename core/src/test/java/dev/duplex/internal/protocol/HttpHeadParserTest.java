package dev.duplex.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpHeadParserTest {

    static final String SAMPLE_REQUEST = "GET /chat?room=1 HTTP/1.1\r\n"
            + "Host: server.example.com\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Origin: http://example.com\r\n"
            + "Sec-WebSocket-Protocol: chat, superchat\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "\r\n";

    static final String SAMPLE_RESPONSE = "HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            + "Sec-WebSocket-Protocol: chat\r\n"
            + "\r\n";

    static HttpHeadParser requests() {
        return HttpHeadParser.forRequests(8192, 65536, 100);
    }

    static HttpHeadParser responses() {
        return HttpHeadParser.forResponses(8192, 65536, 100);
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static HttpHead parseRequest(String s) throws HandshakeException {
        HttpHead head = requests().feed(bytes(s));
        assertThat(head).as("complete head").isNotNull();
        return head;
    }

    static HttpHead parseResponse(String s) throws HandshakeException {
        HttpHead head = responses().feed(bytes(s));
        assertThat(head).as("complete head").isNotNull();
        return head;
    }

    static HandshakeException failure(HttpHeadParser parser, String input) {
        try {
            HttpHead head = parser.feed(bytes(input));
            throw new AssertionError("expected a HandshakeException, got " + head);
        } catch (HandshakeException e) {
            return e;
        }
    }

    @Nested
    class Requests {
        @Test
        void parsesStartLineAndHeaders() throws Exception {
            HttpHead head = parseRequest(SAMPLE_REQUEST);
            assertThat(head.isRequest()).isTrue();
            assertThat(head.startLine()).isEqualTo("GET /chat?room=1 HTTP/1.1");
            assertThat(head.method()).isEqualTo("GET");
            assertThat(head.target()).isEqualTo("/chat?room=1");
            assertThat(head.version()).isEqualTo("HTTP/1.1");
            assertThat(head.status()).isZero();
            assertThat(head.reasonPhrase()).isNull();
            assertThat(head.header("Host")).isEqualTo("server.example.com");
            assertThat(head.header("sec-websocket-key")).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
            assertThat(head.headers("SEC-WEBSOCKET-PROTOCOL")).containsExactly("chat, superchat");
            assertThat(head.headers().keySet()).containsExactly("Host", "Upgrade", "Connection",
                    "Sec-WebSocket-Key", "Origin", "Sec-WebSocket-Protocol",
                    "Sec-WebSocket-Version");
        }

        @Test
        void acceptsOtherMethodsAndHttp10() throws Exception {
            HttpHead head = parseRequest("POST /x HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
            assertThat(head.method()).isEqualTo("POST");
            assertThat(head.version()).isEqualTo("HTTP/1.0");
        }

        @Test
        void headWithoutHeaders() throws Exception {
            HttpHead head = parseRequest("GET / HTTP/1.1\r\n\r\n");
            assertThat(head.headers()).isEmpty();
            assertThat(head.header("Host")).isNull();
            assertThat(head.headers("Host")).isEmpty();
        }

        @Test
        void toleratesBareLf() throws Exception {
            HttpHead head = parseRequest("GET / HTTP/1.1\nHost: a\r\nX: 1\n\n");
            assertThat(head.startLine()).isEqualTo("GET / HTTP/1.1");
            assertThat(head.header("host")).isEqualTo("a");
            assertThat(head.header("x")).isEqualTo("1");
        }

        @Test
        void skipsEmptyLinesBeforeTheRequestLine() throws Exception {
            HttpHead head = parseRequest("\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(head.startLine()).isEqualTo("GET / HTTP/1.1");
            assertThat(head.header("Host")).isEqualTo("a");
        }

        @Test
        void trimsOptionalWhitespaceAroundValues() throws Exception {
            HttpHead head = parseRequest("GET / HTTP/1.1\r\nA:   x  y \t\r\nB:\r\nC:\t\r\nD:z\r\n\r\n");
            assertThat(head.header("A")).isEqualTo("x  y");
            assertThat(head.header("B")).isEmpty();
            assertThat(head.header("C")).isEmpty();
            assertThat(head.header("D")).isEqualTo("z");
        }

        @Test
        void decodesObsTextAsLatin1() throws Exception {
            byte[] raw = "GET / HTTP/1.1\r\nX: caf?\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            raw[raw.length - 5] = (byte) 0xE9;
            HttpHead head = requests().feed(ByteBuffer.wrap(raw));
            assertThat(head.header("X")).isEqualTo("caf\u00e9");
        }

        @Test
        void repeatedHeadersKeepAllValuesInOrder() throws Exception {
            HttpHead head = parseRequest("GET / HTTP/1.1\r\nX-A: 1\r\nx-b: 2\r\nX-a: 3\r\nX-A: 4, 5\r\n\r\n");
            assertThat(head.headers("x-a")).containsExactly("1", "3", "4, 5");
            assertThat(head.header("X-A")).isEqualTo("1");
            assertThat(head.headers().keySet()).containsExactly("X-A", "x-b");
            assertThat(head.headers().get("X-B")).containsExactly("2");
        }
    }

    @Nested
    class Responses {
        @Test
        void parsesStatusLine() throws Exception {
            HttpHead head = parseResponse(SAMPLE_RESPONSE);
            assertThat(head.isRequest()).isFalse();
            assertThat(head.version()).isEqualTo("HTTP/1.1");
            assertThat(head.status()).isEqualTo(101);
            assertThat(head.reasonPhrase()).isEqualTo("Switching Protocols");
            assertThat(head.method()).isNull();
            assertThat(head.target()).isNull();
            assertThat(head.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        }

        @Test
        void reasonPhraseMayBeEmptyOrMissing() throws Exception {
            assertThat(parseResponse("HTTP/1.1 101 \r\n\r\n").reasonPhrase()).isEmpty();
            HttpHead head = parseResponse("HTTP/1.1 404\r\n\r\n");
            assertThat(head.status()).isEqualTo(404);
            assertThat(head.reasonPhrase()).isEmpty();
        }

        @Test
        void reasonPhraseMayHoldSpacesTabsAndObsText() throws Exception {
            HttpHead head = parseResponse("HTTP/1.0 500 Very\tbad  news\r\n\r\n");
            assertThat(head.reasonPhrase()).isEqualTo("Very\tbad  news");
            assertThat(head.version()).isEqualTo("HTTP/1.0");
        }

        @ParameterizedTest
        @ValueSource(strings = {"HTTP/1.1", "HTTP/1.1 1011 X", "HTTP/1.1 10 X", "HTTP/1.1 abc X",
                "HTTP/1.1  101 X", "HTTP/2 101 X", "HTTP/2.0 101 X", "http/1.1 101 X",
                "ICY 200 OK", "HTTP/1.1 10x X", "HTTP/1.1 101 a\u007fb"})
        void rejectsMalformedStatusLinesWithStatusZero(String statusLine) {
            HandshakeException e = failure(responses(), statusLine + "\r\n\r\n");
            assertThat(e.httpStatus()).isZero();
            assertThat(e.getMessage()).containsAnyOf("status line", "HTTP version");
        }

        @Test
        void responseLimitErrorsHaveStatusZero() {
            assertThat(failure(HttpHeadParser.forResponses(10, 1000, 10),
                    "HTTP/1.1 101 Switching Protocols\r\n\r\n").httpStatus()).isZero();
            assertThat(failure(HttpHeadParser.forResponses(100, 30, 10),
                    SAMPLE_RESPONSE).httpStatus()).isZero();
            assertThat(failure(HttpHeadParser.forResponses(100, 1000, 2),
                    SAMPLE_RESPONSE).httpStatus()).isZero();
            assertThat(failure(responses(), "HTTP/1.1 101 OK\r\nNo colon\r\n\r\n").httpStatus())
                    .isZero();
        }
    }

    @Nested
    class Incremental {
        @Test
        void returnsNullUntilTheEmptyLine() throws Exception {
            HttpHeadParser parser = requests();
            assertThat(parser.feed(bytes("GET / HTTP/1.1\r\nHost: a\r\n"))).isNull();
            assertThat(parser.isComplete()).isFalse();
            assertThat(parser.feed(bytes("\r"))).isNull();
            assertThat(parser.feed(ByteBuffer.allocate(0))).isNull();
            HttpHead head = parser.feed(bytes("\n"));
            assertThat(head).isNotNull();
            assertThat(head.header("Host")).isEqualTo("a");
            assertThat(parser.isComplete()).isTrue();
            assertThat(parser.bytesConsumed()).isEqualTo("GET / HTTP/1.1\r\nHost: a\r\n\r\n".length());
        }

        @Test
        void pipelinedBytesAfterTheHeadStayInTheBuffer() throws Exception {
            byte[] head = SAMPLE_REQUEST.getBytes(StandardCharsets.ISO_8859_1);
            byte[] frame = {(byte) 0x81, (byte) 0x85, 0x37, (byte) 0xfa, 0x21, 0x3d, 0x7f, (byte) 0x9f,
                    0x4d, 0x51, 0x58};
            ByteBuffer in = ByteBuffer.allocate(head.length + frame.length);
            in.put(head).put(frame).flip();
            HttpHead parsed = requests().feed(in);
            assertThat(parsed).isNotNull();
            assertThat(in.position()).isEqualTo(head.length);
            byte[] rest = new byte[in.remaining()];
            in.get(rest);
            assertThat(rest).isEqualTo(frame);
        }

        @Test
        void pipelinedBytesThatLookLikeHttpStayToo() throws Exception {
            ByteBuffer in = bytes(SAMPLE_RESPONSE + "HTTP/1.1 200 OK\r\n\r\n");
            HttpHead head = responses().feed(in);
            assertThat(head.status()).isEqualTo(101);
            assertThat(StandardCharsets.ISO_8859_1.decode(in).toString())
                    .isEqualTo("HTTP/1.1 200 OK\r\n\r\n");
        }

        @Test
        void bareLfHeadEndStopsAtTheRightByte() throws Exception {
            ByteBuffer in = bytes("HTTP/1.1 101 OK\nA: b\n\n\r\nxyz");
            assertThat(responses().feed(in)).isNotNull();
            assertThat(StandardCharsets.ISO_8859_1.decode(in).toString()).isEqualTo("\r\nxyz");
        }

        @Test
        void afterCompletionReturnsTheSameHeadAndConsumesNothing() throws Exception {
            HttpHeadParser parser = responses();
            HttpHead head = parser.feed(bytes(SAMPLE_RESPONSE));
            ByteBuffer more = bytes("more bytes");
            assertThat(parser.feed(more)).isSameAs(head);
            assertThat(more.position()).isZero();
        }

        @Test
        void failureIsSticky() {
            HttpHeadParser parser = requests();
            HandshakeException first = failure(parser, "GET / HTTP/1.1\r\nbad line\r\n");
            ByteBuffer more = bytes("\r\n");
            HandshakeException second = null;
            try {
                parser.feed(more);
            } catch (HandshakeException e) {
                second = e;
            }
            assertThat(second).isNotNull();
            assertThat(second.getMessage()).isEqualTo(first.getMessage());
            assertThat(second.httpStatus()).isEqualTo(first.httpStatus());
        }

        @Test
        void respectsTheBufferPositionAndLimit() throws Exception {
            byte[] raw = ("xxxx" + SAMPLE_RESPONSE + "yy").getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer in = ByteBuffer.wrap(raw, 4, SAMPLE_RESPONSE.length() + 1);
            HttpHead head = responses().feed(in);
            assertThat(head.status()).isEqualTo(101);
            assertThat(in.position()).isEqualTo(4 + SAMPLE_RESPONSE.length());
            assertThat(in.remaining()).isEqualTo(1);
        }

        @Test
        void worksWithDirectBuffers() throws Exception {
            byte[] raw = SAMPLE_REQUEST.getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer in = ByteBuffer.allocateDirect(raw.length + 2);
            in.put(raw).put((byte) 1).put((byte) 2).flip();
            assertThat(requests().feed(in).method()).isEqualTo("GET");
            assertThat(in.remaining()).isEqualTo(2);
        }
    }

    @Nested
    class Limits {
        @Test
        void requestLineAtTheLimitIsAccepted() throws Exception {
            String line = "GET /" + "a".repeat(20) + " HTTP/1.1"; // 34 bytes
            HttpHead head = HttpHeadParser.forRequests(line.length(), 1000, 10)
                    .feed(bytes(line + "\r\n\r\n"));
            assertThat(head.target()).hasSize(21);
        }

        @Test
        void requestLineOverTheLimitIs414() {
            String line = "GET /" + "a".repeat(21) + " HTTP/1.1"; // 35 bytes
            HandshakeException e = failure(HttpHeadParser.forRequests(34, 1000, 10),
                    line + "\r\n\r\n");
            assertThat(e.httpStatus()).isEqualTo(414);
            assertThat(e.getMessage()).startsWith("Request-URI Too Long").contains("34");
        }

        @Test
        void requestLineOverTheLimitFailsBeforeItsEnd() {
            HttpHeadParser parser = HttpHeadParser.forRequests(16, 1000, 10);
            HandshakeException e = failure(parser, "GET /" + "a".repeat(100));
            assertThat(e.httpStatus()).isEqualTo(414);
            assertThat(parser.bytesConsumed()).isEqualTo(17);
        }

        @Test
        void headAtTheLimitIsAccepted() throws Exception {
            HttpHead head = HttpHeadParser.forRequests(100, SAMPLE_REQUEST.length(), 10)
                    .feed(bytes(SAMPLE_REQUEST));
            assertThat(head).isNotNull();
        }

        @Test
        void headOverTheLimitIs431() {
            HandshakeException e = failure(
                    HttpHeadParser.forRequests(100, SAMPLE_REQUEST.length() - 1, 10),
                    SAMPLE_REQUEST);
            assertThat(e.httpStatus()).isEqualTo(431);
            assertThat(e.getMessage()).contains("Request Header Fields Too Large")
                    .contains(Integer.toString(SAMPLE_REQUEST.length() - 1));
        }

        @Test
        void endlessHeaderLineFailsAtTheLimit() {
            HttpHeadParser parser = HttpHeadParser.forRequests(100, 200, 10);
            HandshakeException e = failure(parser, "GET / HTTP/1.1\r\nX: " + "y".repeat(1000));
            assertThat(e.httpStatus()).isEqualTo(431);
            assertThat(parser.bytesConsumed()).isEqualTo(201);
        }

        @Test
        void emptyLinesBeforeTheStartLineCountTowardsTheHeadLimit() {
            HandshakeException e = failure(HttpHeadParser.forRequests(100, 50, 10),
                    "\r\n".repeat(30));
            assertThat(e.httpStatus()).isEqualTo(431);
        }

        @Test
        void headerCountAtTheLimitIsAccepted() throws Exception {
            HttpHead head = HttpHeadParser.forRequests(100, 1000, 7).feed(bytes(SAMPLE_REQUEST));
            assertThat(head.headers()).hasSize(7);
        }

        @Test
        void headerCountOverTheLimitIs431() {
            HandshakeException e = failure(HttpHeadParser.forRequests(100, 1000, 6),
                    SAMPLE_REQUEST);
            assertThat(e.httpStatus()).isEqualTo(431);
            assertThat(e.getMessage()).contains("more than 6 header fields");
        }

        @Test
        void repeatedHeadersCountOneEach() {
            HandshakeException e = failure(HttpHeadParser.forRequests(100, 1000, 2),
                    "GET / HTTP/1.1\r\nA: 1\r\nA: 2\r\nA: 3\r\n\r\n");
            assertThat(e.httpStatus()).isEqualTo(431);
        }

        @Test
        void zeroHeadersAllowed() throws Exception {
            assertThat(HttpHeadParser.forRequests(100, 1000, 0).feed(bytes("GET / HTTP/1.1\r\n\r\n")))
                    .isNotNull();
            assertThat(failure(HttpHeadParser.forRequests(100, 1000, 0),
                    "GET / HTTP/1.1\r\nA: 1\r\n\r\n").httpStatus()).isEqualTo(431);
        }

        @Test
        void invalidLimitsAreRejected() {
            assertThatThrownBy(() -> HttpHeadParser.forRequests(0, 10, 10))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> HttpHeadParser.forRequests(10, 0, 10))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> HttpHeadParser.forResponses(10, 10, -1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Malformed {
        @ParameterizedTest
        @ValueSource(strings = {
            "GET /\r\n",                         // two parts
            "GET / HTTP/1.1 extra\r\n",          // four parts
            "GET  / HTTP/1.1\r\n",               // double space
            "GET / HTTP/1.1 \r\n",               // trailing space
            " GET / HTTP/1.1\r\n",               // leading space
            "G(T / HTTP/1.1\r\n",                // method not a token
            "GET / HTTP/2.0\r\n",                // not HTTP/1.x
            "GET / HTTP/1.10\r\n",
            "GET / HTTP/1\r\n",
            "GET / http/1.1\r\n",
            "GET / HTTPS/1.1\r\n",
            "GET /a\u007fb HTTP/1.1\r\n",         // DEL in the target
            "GET /caf\u00e9 HTTP/1.1\r\n",        // non-ASCII in the target
            "GET\t/ HTTP/1.1\r\n",               // tab as separator
            "GET / HTTP/1.1\rHost: x\r\n",       // CR not followed by LF
        })
        void malformedRequestLinesAre400(String startLine) {
            HandshakeException e = failure(requests(), startLine + "\r\n");
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).isNotBlank();
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "No colon here",
            "Name : value",             // whitespace before the colon
            "Name\t: value",
            ": value",                  // empty name
            "Bad Name: value",          // space in the name
            "Na(me: value",             // delimiter in the name
            "Na\u00e9me: value",        // non-ASCII in the name
            " folded continuation",     // obs-fold
            "\tfolded continuation",
            "X: a\u0000b",             // NUL in the value
            "X: a\rb",                  // CR in the value
            "X: a\u0001b",              // other control in the value
            "X: a\u007fb",              // DEL in the value
        })
        void malformedHeaderLinesAre400(String headerLine) {
            HandshakeException e = failure(requests(),
                    "GET / HTTP/1.1\r\nHost: a\r\n" + headerLine + "\r\n\r\n");
            assertThat(e.httpStatus()).isEqualTo(400);
        }

        @Test
        void obsFoldMessageSaysSo() {
            HandshakeException e = failure(requests(),
                    "GET / HTTP/1.1\r\nX: a\r\n  b\r\n\r\n");
            assertThat(e.getMessage()).contains("line folding");
        }

        @Test
        void noColonMessageQuotesTheLine() {
            HandshakeException e = failure(requests(), "GET / HTTP/1.1\r\nbad\u0001line\r\n\r\n");
            assertThat(e.getMessage()).isEqualTo("Malformed header line (no colon): \"bad\\x01line\"");
        }

        @Test
        void whitespaceBeforeColonMessageSaysSo() {
            HandshakeException e = failure(requests(), "GET / HTTP/1.1\r\nHost : a\r\n\r\n");
            assertThat(e.getMessage()).contains("whitespace before the colon");
        }

        @Test
        void longOffendingLinesAreTruncatedInMessages() {
            HandshakeException e = failure(requests(), "GET / HTTP/1.1\r\n" + "z".repeat(5000) + "\r\n\r\n");
            assertThat(e.getMessage().length()).isLessThan(200);
            assertThat(e.getMessage()).contains("...");
        }

        @Test
        void tlsClientHelloFailsAtTheFirstByte() {
            HttpHeadParser parser = requests();
            byte[] hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
            HandshakeException e = null;
            try {
                parser.feed(ByteBuffer.wrap(hello));
            } catch (HandshakeException ex) {
                e = ex;
            }
            assertThat(e).isNotNull();
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains("control character 0x16");
            assertThat(parser.bytesConsumed()).isEqualTo(1);
        }

        @Test
        void nulInTheRequestLineFailsImmediately() {
            HttpHeadParser parser = requests();
            assertThat(failure(parser, "GET /\u0000").httpStatus()).isEqualTo(400);
            assertThat(parser.bytesConsumed()).isEqualTo(6);
        }
    }

    @Nested
    class Head {
        @Test
        void headersMapIsCaseInsensitiveOrderedAndUnmodifiable() throws Exception {
            HttpHead head = parseRequest("GET / HTTP/1.1\r\nZeta: 1\r\nalpha: 2\r\nZETA: 3\r\nMid: 4\r\n\r\n");
            Map<String, List<String>> map = head.headers();
            assertThat(new ArrayList<>(map.keySet())).containsExactly("Zeta", "alpha", "Mid");
            assertThat(map.get("zeta")).containsExactly("1", "3");
            assertThat(map.get("ALPHA")).containsExactly("2");
            assertThat(map.get("nope")).isNull();
            assertThat(map.get(42)).isNull();
            assertThat(map.containsKey("mId")).isTrue();
            assertThat(map.containsKey("Zet")).isFalse();
            assertThat(map.getOrDefault("MID", List.of())).containsExactly("4");
            assertThat(map).hasSize(3);
            assertThatThrownBy(() -> map.put("x", List.of("y")))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> map.remove("Zeta"))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(map::clear).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> map.entrySet().iterator().remove())
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> map.get("Zeta").add("5"))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> head.headers("Zeta").clear())
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThat(map.get("Zeta")).containsExactly("1", "3");
        }

        @Test
        void hasTokenMatchesCommaSeparatedElementsIgnoringCase() throws Exception {
            HttpHead head = parseRequest("GET / HTTP/1.1\r\n"
                    + "Connection: keep-alive,  UPGRADE \r\n"
                    + "Upgrade: foo/2\r\n"
                    + "Upgrade: WebSocket\r\n"
                    + "X: upgraded, notupgrade, up grade\r\n"
                    + "Y: ,,\t,\r\n\r\n");
            assertThat(head.hasToken("connection", "upgrade")).isTrue();
            assertThat(head.hasToken("Connection", "Keep-Alive")).isTrue();
            assertThat(head.hasToken("Connection", "close")).isFalse();
            assertThat(head.hasToken("Upgrade", "websocket")).isTrue();
            assertThat(head.hasToken("Upgrade", "foo/2")).isTrue();
            assertThat(head.hasToken("Upgrade", "foo")).isFalse();
            assertThat(head.hasToken("X", "upgrade")).isFalse();
            assertThat(head.hasToken("Y", "")).isFalse();
            assertThat(head.hasToken("Missing", "upgrade")).isFalse();
        }

        @Test
        void hasTokenTreatsACommaInsideAQuotedStringAsPartOfTheElement() throws Exception {
            HttpHead head = parseRequest("GET / HTTP/1.1\r\n"
                    + "X: a=\"b, upgrade\", c\r\n"
                    + "Y: q=\"\\\", upgrade\", d\r\n\r\n");
            assertThat(head.hasToken("X", "upgrade")).isFalse();
            assertThat(head.hasToken("X", "c")).isTrue();
            assertThat(head.hasToken("x", "A=\"B, UPGRADE\"")).isTrue();
            assertThat(head.hasToken("Y", "upgrade")).isFalse();
            assertThat(head.hasToken("Y", "d")).isTrue();
        }

        @Test
        void lookupsByNameIgnoreCaseAndKeepTheOrderOfTheLines() throws Exception {
            HttpHead head = parseRequest("GET / HTTP/1.1\r\nZeta: 1\r\nalpha: 2\r\nZETA: 3\r\n"
                    + "zeta: 4\r\n\r\n");
            assertThat(head.headers("zEtA")).containsExactly("1", "3", "4");
            assertThat(head.header("ZETA")).isEqualTo("1");
            assertThat(head.headers("Alpha")).containsExactly("2");
            assertThat(head.header("nope")).isNull();
            assertThat(head.header(null)).isNull();
            assertThat(head.headers("nope")).isEmpty();
            assertThatThrownBy(() -> head.headers("alpha").add("x"))
                    .isInstanceOf(UnsupportedOperationException.class);
        }

        @Test
        void wellKnownNamesKeepTheSpellingTheyArrivedIn() throws Exception {
            HttpHead head = parseRequest("GET / HTTP/1.1\r\nhost: a\r\nSEC-WEBSOCKET-KEY: k\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Versio: 13\r\n\r\n");
            assertThat(new ArrayList<>(head.headers().keySet()))
                    .containsExactly("host", "SEC-WEBSOCKET-KEY", "Upgrade", "Sec-WebSocket-Versio");
            assertThat(head.header("Host")).isEqualTo("a");
            assertThat(head.header("Sec-WebSocket-Key")).isEqualTo("k");
            assertThat(head.header("Sec-WebSocket-Version")).isNull();
            assertThat(head.toString()).isEqualTo("GET / HTTP/1.1\r\nhost: a\r\n"
                    + "SEC-WEBSOCKET-KEY: k\r\nUpgrade: websocket\r\nSec-WebSocket-Versio: 13\r\n\r\n");
        }

        @Test
        void listElementsRespectsQuotedStrings() {
            assertThat(HttpHead.listElements("a; p=\"x, y\", b ,, c;q=\"\\\"\"  "))
                    .containsExactly("a; p=\"x, y\"", "b", "c;q=\"\\\"\"");
            assertThat(HttpHead.listElements("")).isEmpty();
            assertThat(HttpHead.listElements(" , ")).isEmpty();
        }

        @Test
        void toStringRoundTrips() throws Exception {
            HttpHead head = parseRequest(SAMPLE_REQUEST);
            assertThat(head.toString()).isEqualTo(SAMPLE_REQUEST);
            assertThat(parseRequest(head.toString()).toString()).isEqualTo(SAMPLE_REQUEST);
        }
    }

    @Nested
    class Chopping {
        /** Inputs whose outcome (head or error) must not depend on chopping. */
        final List<Supplier<HttpHeadParser>> parsers = List.of(
                HttpHeadParserTest::requests,
                HttpHeadParserTest::responses,
                () -> HttpHeadParser.forRequests(20, 2000, 20),
                () -> HttpHeadParser.forRequests(200, 120, 20),
                () -> HttpHeadParser.forRequests(200, 2000, 3),
                () -> HttpHeadParser.forResponses(12, 2000, 20));

        final List<String> inputs = List.of(
                SAMPLE_REQUEST,
                SAMPLE_RESPONSE,
                "GET / HTTP/1.1\nHost: a\n\n",
                "\r\n\r\nGET / HTTP/1.1\r\nA: 1\r\nB:\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
                "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
                "GET / HTTP/2.0\r\n\r\n",
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 10 X\r\n\r\n",
                "\u0016\u0003\u0001",
                "GET /" + "x".repeat(300) + " HTTP/1.1\r\n\r\n");

        final byte[] trailer = {(byte) 0x81, 0x02, 'h', 'i', '\r', '\n', '\r', '\n', 0};

        @Test
        void randomChoppingGivesTheSameOutcome() {
            Random random = new Random(6455);
            int runs = 0;
            for (Supplier<HttpHeadParser> parser : parsers) {
                for (String input : inputs) {
                    byte[] all = concat(input.getBytes(StandardCharsets.ISO_8859_1), trailer);
                    Outcome whole = run(parser.get(), all, new int[] {all.length});
                    assertThat(run(parser.get(), all, ones(all.length)))
                            .as("byte by byte: %s", input).isEqualTo(whole);
                    for (int i = 0; i < 40; i++) {
                        assertThat(run(parser.get(), all, randomChops(random, all.length)))
                                .as("random chops: %s", input).isEqualTo(whole);
                        runs++;
                    }
                }
            }
            assertThat(runs).isEqualTo(parsers.size() * inputs.size() * 40);
        }

        @Test
        void validHeadsLeaveExactlyTheTrailer() {
            for (String input : List.of(SAMPLE_REQUEST, "GET / HTTP/1.1\nHost: a\n\n")) {
                byte[] all = concat(input.getBytes(StandardCharsets.ISO_8859_1), trailer);
                Outcome outcome = run(requests(), all, ones(all.length));
                assertThat(outcome.head).isEqualTo(parseUnchecked(input).toString());
                assertThat(outcome.rest).isEqualTo(Arrays.toString(trailer));
            }
        }

        private HttpHead parseUnchecked(String input) {
            try {
                return parseRequest(input);
            } catch (HandshakeException e) {
                return fail("unexpected", e);
            }
        }

        private Outcome run(HttpHeadParser parser, byte[] all, int[] chops) {
            int offset = 0;
            for (int i = 0; i < chops.length; i++) {
                ByteBuffer piece = ByteBuffer.wrap(all, offset, chops[i]).slice();
                offset += chops[i];
                HttpHead head;
                try {
                    head = parser.feed(piece);
                } catch (HandshakeException e) {
                    return new Outcome(null, null, e.httpStatus() + " " + e.getMessage());
                }
                if (head != null) {
                    ByteArrayOutputStream rest = new ByteArrayOutputStream();
                    while (piece.hasRemaining()) {
                        rest.write(piece.get());
                    }
                    rest.write(all, offset, all.length - offset);
                    return new Outcome(head.toString(),
                            Arrays.toString(rest.toByteArray()), null);
                }
                assertThat(piece.hasRemaining()).as("an incomplete feed consumes everything").isFalse();
            }
            return new Outcome(null, null, "incomplete");
        }

        private int[] ones(int n) {
            int[] chops = new int[n];
            Arrays.fill(chops, 1);
            return chops;
        }

        private int[] randomChops(Random random, int n) {
            List<Integer> chops = new ArrayList<>();
            int left = n;
            while (left > 0) {
                int c = Math.min(left, random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(12));
                chops.add(c);
                left -= c;
            }
            return chops.stream().mapToInt(Integer::intValue).toArray();
        }

        private byte[] concat(byte[] a, byte[] b) {
            byte[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }

    /** A parse outcome: the head and the unconsumed rest, or the error. */
    static final class Outcome {
        final String head;
        final String rest;
        final String error;

        Outcome(String head, String rest, String error) {
            this.head = head;
            this.rest = rest;
            this.error = error;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Outcome && java.util.Objects.equals(head, ((Outcome) o).head)
                    && java.util.Objects.equals(rest, ((Outcome) o).rest)
                    && java.util.Objects.equals(error, ((Outcome) o).error);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(head, rest, error);
        }

        @Override
        public String toString() {
            return error != null ? "error " + error : "head " + head + " rest " + rest;
        }
    }
}
