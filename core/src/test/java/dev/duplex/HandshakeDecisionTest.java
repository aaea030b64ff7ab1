package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.internal.protocol.HttpHead;
import dev.duplex.internal.protocol.HttpHeadParser;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HandshakeDecisionTest {

    @Test
    void acceptWithoutProtocol() {
        HandshakeDecision d = HandshakeDecision.accept();
        assertThat(d.accepted()).isTrue();
        assertThat(d.protocol()).isNull();
        assertThat(d.status()).isEqualTo(101);
        assertThat(d.body()).isEmpty();
        assertThat(d.headers()).isEmpty();
        assertThat(HandshakeDecision.accept(null)).isEqualTo(d);
        assertThat(d.toString()).isEqualTo("HandshakeDecision[accept]");
    }

    @Test
    void acceptWithProtocol() {
        HandshakeDecision d = HandshakeDecision.accept("chat.v2");
        assertThat(d.accepted()).isTrue();
        assertThat(d.protocol()).isEqualTo("chat.v2");
        assertThat(d.status()).isEqualTo(101);
        assertThat(d).isEqualTo(HandshakeDecision.accept("chat.v2")).isNotEqualTo(HandshakeDecision.accept());
        assertThat(d).hasSameHashCodeAs(HandshakeDecision.accept("chat.v2"));
        assertThat(d.toString()).contains("chat.v2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a,b", "chat/1", "caf\u00e9"})
    void acceptRejectsProtocolsThatAreNotTokens(String protocol) {
        assertThatThrownBy(() -> HandshakeDecision.accept(protocol)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token");
    }

    @Test
    void reject() {
        HandshakeDecision d = HandshakeDecision.reject(403, "forbidden");
        assertThat(d.accepted()).isFalse();
        assertThat(d.protocol()).isNull();
        assertThat(d.status()).isEqualTo(403);
        assertThat(d.body()).isEqualTo("forbidden");
        assertThat(HandshakeDecision.reject(503, null).body()).isEmpty();
        assertThat(d).isEqualTo(HandshakeDecision.reject(403, "forbidden"))
                .isNotEqualTo(HandshakeDecision.reject(403, "other"))
                .isNotEqualTo(HandshakeDecision.reject(404, "forbidden"));
        assertThat(d.toString()).contains("403").contains("forbidden");
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 426, 499, 500, 599})
    void rejectAcceptsClientAndServerErrors(int status) {
        assertThat(HandshakeDecision.reject(status, "x").status()).isEqualTo(status);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 100, 101, 200, 302, 399, 600, 1000})
    void rejectRefusesOtherStatuses(int status) {
        assertThatThrownBy(() -> HandshakeDecision.reject(status, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(status));
    }

    @Test
    void withHeaderReturnsACopy() {
        HandshakeDecision plain = HandshakeDecision.reject(401, "login first");
        HandshakeDecision withHeaders = plain.withHeader("WWW-Authenticate", "Bearer")
                .withHeader("Retry-After", " 120 ")
                .withHeader("www-authenticate", "Basic realm=\"x\"");

        assertThat(plain.headers()).isEmpty();
        assertThat(withHeaders.status()).isEqualTo(401);
        assertThat(withHeaders.body()).isEqualTo("login first");
        assertThat(withHeaders.headers().keySet()).containsExactly("WWW-Authenticate", "Retry-After");
        assertThat(withHeaders.headers().get("WWW-Authenticate")).containsExactly("Bearer", "Basic realm=\"x\"");
        assertThat(withHeaders.headers().get("Retry-After")).containsExactly("120");
        assertThat(withHeaders).isNotEqualTo(plain);
        assertThatThrownBy(() -> withHeaders.headers().put("X", List.of()))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> withHeaders.headers().get("Retry-After").add("1"))
                .isInstanceOf(UnsupportedOperationException.class);

        HandshakeDecision accepted = HandshakeDecision.accept("chat").withHeader("Set-Cookie", "id=1");
        assertThat(accepted.accepted()).isTrue();
        assertThat(accepted.protocol()).isEqualTo("chat");
        assertThat(accepted.headers()).containsEntry("Set-Cookie", List.of("id=1"));
        assertThat(HandshakeDecision.accept().headers()).isEmpty(); // the shared instance is untouched
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upgrade", "connection", "Sec-WebSocket-Accept", "sec-websocket-protocol",
        "Sec-WebSocket-Extensions", "Content-Length", "Transfer-Encoding"})
    void withHeaderRefusesHeadersTheHandshakeSets(String name) {
        assertThatThrownBy(() -> HandshakeDecision.accept().withHeader(name, "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withHeaderValidatesNameAndValue() {
        assertThatThrownBy(() -> HandshakeDecision.accept().withHeader("Bad Name", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HandshakeDecision.accept().withHeader("X", "a\r\nInjected: 1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HandshakeDecision.accept().withHeader(null, "x"))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> HandshakeDecision.accept().withHeader("X", null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void acceptAllAcceptsEverything() {
        HandshakeHandler handler = HandshakeHandler.acceptAll();
        HandshakeRequest request = new HandshakeRequest("GET", "/x", "a=1", Map.of(), List.of("p1", "p2"), null);
        assertThat(handler.decide(request)).isEqualTo(HandshakeDecision.accept());
        assertThat(handler).isSameAs(HandshakeHandler.acceptAll());
        assertThat(handler.toString()).contains("acceptAll");
    }

    // ---------------------------------------------------------------- HandshakeRequest

    @Test
    void requestGivesItsParts() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Host", List.of("example.com"));
        headers.put("Origin", List.of("https://site.example"));
        headers.put("X-Multi", List.of("1", "2"));
        headers.put("x-multi", List.of("3"));
        headers.put("Sec-WebSocket-Protocol", List.of("chat, superchat"));
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 5555);
        HandshakeRequest r = new HandshakeRequest("GET", "/chat%20room", "a=1&b=%20", headers,
                Arrays.asList("chat", "superchat"), remote);

        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.path()).isEqualTo("/chat%20room");
        assertThat(r.query()).isEqualTo("a=1&b=%20");
        assertThat(r.origin()).isEqualTo("https://site.example");
        assertThat(r.protocols()).containsExactly("chat", "superchat");
        assertThat(r.remoteAddress()).isSameAs(remote);

        assertThat(r.header("host")).isEqualTo("example.com");
        assertThat(r.header("HOST")).isEqualTo("example.com");
        assertThat(r.header("x-MULTI")).isEqualTo("1");
        assertThat(r.header("Missing")).isNull();
        assertThat(r.headers().get("X-MULTI")).containsExactly("1", "2", "3");
        assertThat(r.headers().containsKey("origin")).isTrue();
        assertThat(r.headers()).hasSize(4);

        assertThat(r.toString()).contains("GET /chat%20room?a=1&b=%20").contains("chat");
    }

    @Test
    void requestFromAParsedHeadAnswersLikeOneFromAMap() throws Exception {
        String text = "GET /chat?a=1 HTTP/1.1\r\nHost: example.com\r\nX-Multi: 1\r\n"
                + "Origin: https://site.example\r\nx-multi: 2\r\n\r\n";
        HttpHead head = HttpHeadParser.forRequests(8192, 65536, 100)
                .feed(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
        HandshakeRequest fromHead = new HandshakeRequest("GET", "/chat", "a=1", head, List.of(), null);
        HandshakeRequest fromMap = new HandshakeRequest("GET", "/chat", "a=1", head.headers(), List.of(), null);

        for (HandshakeRequest r : List.of(fromHead, fromMap)) {
            assertThat(r.header("HOST")).isEqualTo("example.com");
            assertThat(r.header("x-multi")).isEqualTo("1");
            assertThat(r.origin()).isEqualTo("https://site.example");
            assertThat(r.header("Missing")).isNull();
            assertThatThrownBy(() -> r.header(null)).isInstanceOf(NullPointerException.class);
        }
        assertThat(fromHead.headers()).isEqualTo(fromMap.headers());
        assertThat(new ArrayList<>(fromHead.headers().keySet()))
                .containsExactly("Host", "Origin", "X-Multi");
        assertThat(fromHead.headers().get("X-MULTI")).containsExactly("1", "2");
        assertThat(fromHead.headers()).isSameAs(fromHead.headers());
        assertThatThrownBy(() -> fromHead.headers().put("a", List.of()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void requestIsImmutable() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("X-A", new java.util.ArrayList<>(List.of("1")));
        List<String> protocols = new java.util.ArrayList<>(List.of("a"));
        HandshakeRequest r = new HandshakeRequest("GET", "/", null, headers, protocols, null);
        headers.get("X-A").add("2");
        headers.put("X-B", List.of("3"));
        protocols.add("b");

        assertThat(r.headers().get("x-a")).containsExactly("1");
        assertThat(r.header("X-B")).isNull();
        assertThat(r.protocols()).containsExactly("a");
        assertThat(r.query()).isEmpty();
        assertThat(r.origin()).isNull();
        assertThat(r.remoteAddress()).isNull();
        assertThatThrownBy(() -> r.headers().put("Y", List.of())).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.headers().get("X-A").add("z")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.protocols().add("z")).isInstanceOf(UnsupportedOperationException.class);
    }
}
