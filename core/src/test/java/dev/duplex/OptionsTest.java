package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OptionsTest {

    // ---------------------------------------------------------------- WebSocketOptions

    @Test
    void clientDefaults() {
        WebSocketOptions o = WebSocketOptions.defaults();
        assertThat(o.headers()).isEmpty();
        assertThat(o.origin()).isNull();
        assertThat(o.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.sslContext()).isNull();
        assertThat(o.hostnameVerification()).isTrue();
        assertThat(o.proxy()).isNull();
        assertThat(o.proxyAuthorization()).isNull();
        assertThat(o.perMessageDeflate()).isTrue();
        assertThat(o.maxMessageSize()).isEqualTo(64L * 1024 * 1024);
        assertThat(o.maxFrameSize()).isEqualTo(64L * 1024 * 1024);
        assertThat(o.maxBufferedAmount()).isEqualTo(256L * 1024 * 1024);
        assertThat(o.pingInterval()).isEqualTo(Duration.ZERO);
        assertThat(o.executor()).isNull();
        assertThat(WebSocketOptions.builder().build()).isEqualTo(o);
        assertThat(WebSocketOptions.defaults()).isSameAs(o);
    }

    @Test
    void clientBuilderSetsEveryOption() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        Executor executor = Runnable::run;
        InetSocketAddress proxy = InetSocketAddress.createUnresolved("proxy.local", 3128);
        WebSocketOptions o = WebSocketOptions.builder()
                .header("Authorization", "Bearer abc")
                .origin("https://example.com")
                .connectTimeout(Duration.ofSeconds(10))
                .closeTimeout(Duration.ofMillis(1500))
                .sslContext(ssl)
                .hostnameVerification(false)
                .proxy(proxy)
                .proxyAuthorization("Basic dXNlcjpwYXNz")
                .perMessageDeflate(false)
                .maxMessageSize(1000)
                .maxFrameSize(100)
                .maxBufferedAmount(5000)
                .pingInterval(Duration.ofSeconds(30))
                .executor(executor)
                .build();

        assertThat(o.headers()).containsExactly(Map.entry("Authorization", List.of("Bearer abc")));
        assertThat(o.origin()).isEqualTo("https://example.com");
        assertThat(o.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.closeTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(o.sslContext()).isSameAs(ssl);
        assertThat(o.hostnameVerification()).isFalse();
        assertThat(o.proxy()).isSameAs(proxy);
        assertThat(o.proxyAuthorization()).isEqualTo("Basic dXNlcjpwYXNz");
        assertThat(o.perMessageDeflate()).isFalse();
        assertThat(o.maxMessageSize()).isEqualTo(1000);
        assertThat(o.maxFrameSize()).isEqualTo(100);
        assertThat(o.maxBufferedAmount()).isEqualTo(5000);
        assertThat(o.pingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.executor()).isSameAs(executor);
        assertThat(o).isNotEqualTo(WebSocketOptions.defaults());
    }

    @Test
    void maxFrameSizeFollowsMaxMessageSizeUntilSet() {
        WebSocketOptions o = WebSocketOptions.builder().maxMessageSize(12345).build();
        assertThat(o.maxFrameSize()).isEqualTo(12345);
        WebSocketOptions bigger = o.toBuilder().maxMessageSize(999_999).build();
        assertThat(bigger.maxFrameSize()).isEqualTo(999_999);
        WebSocketOptions fixed = bigger.toBuilder().maxFrameSize(10).maxMessageSize(20).build();
        assertThat(fixed.maxFrameSize()).isEqualTo(10);
        assertThat(WebSocketOptions.builder().maxMessageSize(Long.MAX_VALUE).build().maxFrameSize())
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void headersKeepOrderAndMergeRepeatedNames() {
        WebSocketOptions o = WebSocketOptions.builder()
                .header("X-B", "1")
                .header("Cookie", "a=1")
                .header("x-b", "2")
                .header("X-A", "  padded\t")
                .header("Cookie", "b=2")
                .build();
        assertThat(o.headers().keySet()).containsExactly("X-B", "Cookie", "X-A");
        assertThat(o.headers().get("X-B")).containsExactly("1", "2");
        assertThat(o.headers().get("Cookie")).containsExactly("a=1", "b=2");
        assertThat(o.headers().get("X-A")).containsExactly("padded");
    }

    @Test
    void originHeaderIsTheOriginOption() {
        WebSocketOptions o = WebSocketOptions.builder().header("origin", "https://a.example").build();
        assertThat(o.origin()).isEqualTo("https://a.example");
        assertThat(o.headers()).isEmpty();
        assertThat(o.toBuilder().origin(null).build().origin()).isNull();
    }

    @Test
    void headersAreImmutable() {
        WebSocketOptions o = WebSocketOptions.builder().header("X-A", "1").build();
        assertThatThrownBy(() -> o.headers().put("X-B", List.of("2"))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> o.headers().get("X-A").add("2")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> o.headers().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> WebSocketOptions.defaults().headers().put("a", List.of()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void builtOptionsDoNotChangeWithTheBuilder() {
        WebSocketOptions.Builder builder = WebSocketOptions.builder().header("X-A", "1").maxMessageSize(10);
        WebSocketOptions first = builder.build();
        builder.header("X-A", "2").header("X-B", "3").maxMessageSize(20);
        WebSocketOptions second = builder.build();

        assertThat(first.headers()).containsExactly(Map.entry("X-A", List.of("1")));
        assertThat(first.maxMessageSize()).isEqualTo(10);
        assertThat(second.headers().get("X-A")).containsExactly("1", "2");
        assertThat(second.maxMessageSize()).isEqualTo(20);
    }

    @Test
    void toBuilderCopiesAndIsIndependent() {
        WebSocketOptions original = WebSocketOptions.builder().header("X-A", "1").pingInterval(Duration.ofSeconds(3))
                .build();
        WebSocketOptions copy = original.toBuilder().build();
        assertThat(copy).isEqualTo(original).hasSameHashCodeAs(original);

        WebSocketOptions changed = original.toBuilder().header("X-A", "2").perMessageDeflate(false).build();
        assertThat(original.headers().get("X-A")).containsExactly("1");
        assertThat(original.perMessageDeflate()).isTrue();
        assertThat(changed.headers().get("X-A")).containsExactly("1", "2");
        assertThat(changed.pingInterval()).isEqualTo(Duration.ofSeconds(3));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Host", "host", "UPGRADE", "Connection", "Sec-WebSocket-Key", "sec-websocket-key",
        "Sec-WebSocket-Version", "Sec-WebSocket-Accept", "Sec-WebSocket-Extensions", "SEC-WEBSOCKET-PROTOCOL",
        "Content-Length", "transfer-encoding"})
    void reservedHeadersAreRejected(String name) {
        assertThatThrownBy(() -> WebSocketOptions.builder().header(name, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("Duplex sets it itself");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "X Y", "X:Y", "X(Y)", "\u00e9", "X\r\nY", "X/Y", "X\"", "@"})
    void headerNamesMustBeTokens(String name) {
        assertThatThrownBy(() -> WebSocketOptions.builder().header(name, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nX-Injected: 1", "a\nb", "a\rb", "a\u0000b", "a\u007fb", "\u0100", "\u20ac"})
    void headerValuesMustNotHoldControlCharactersOrNonLatin1(String value) {
        assertThatThrownBy(() -> WebSocketOptions.builder().header("X-A", value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X-A");
        assertThatThrownBy(() -> WebSocketOptions.builder().origin(value)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketOptions.builder().proxyAuthorization(value))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void headerValuesMayHoldTabsAndLatin1() {
        WebSocketOptions o = WebSocketOptions.builder().header("X-A", "a\tb caf\u00e9").header("X-Empty", "").build();
        assertThat(o.headers().get("X-A")).containsExactly("a\tb caf\u00e9");
        assertThat(o.headers().get("X-Empty")).containsExactly("");
    }

    @Test
    void nullHeaderPartsAreNullPointerExceptions() {
        assertThatThrownBy(() -> WebSocketOptions.builder().header(null, "x")).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> WebSocketOptions.builder().header("X-A", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("X-A");
    }

    @Test
    void clientLimitsAndDurationsAreValidated() {
        WebSocketOptions.Builder b = WebSocketOptions.builder();
        assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.connectTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> b.closeTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("closeTimeout");
        assertThatThrownBy(() -> b.closeTimeout(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.pingInterval(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pingInterval");
        assertThatThrownBy(() -> b.pingInterval(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.maxMessageSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxMessageSize");
        assertThatThrownBy(() -> b.maxMessageSize(-5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxFrameSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxFrameSize");
        assertThatThrownBy(() -> b.maxBufferedAmount(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBufferedAmount");

        // the failed calls changed nothing; boundary values are accepted
        WebSocketOptions o = b.maxMessageSize(1).maxFrameSize(Long.MAX_VALUE).maxBufferedAmount(1)
                .pingInterval(Duration.ZERO).connectTimeout(Duration.ofNanos(1)).build();
        assertThat(o.maxMessageSize()).isEqualTo(1);
        assertThat(o.maxFrameSize()).isEqualTo(Long.MAX_VALUE);
        assertThat(o.maxBufferedAmount()).isEqualTo(1);
        assertThat(o.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.connectTimeout()).isEqualTo(Duration.ofNanos(1));
    }

    @Test
    void clientToStringHidesSecrets() {
        String s = WebSocketOptions.builder().header("Authorization", "Bearer secret-token")
                .proxyAuthorization("Basic c2VjcmV0").build().toString();
        assertThat(s).contains("Authorization").doesNotContain("secret-token").doesNotContain("c2VjcmV0")
                .contains("maxMessageSize=67108864");
    }

    // ---------------------------------------------------------------- ServerOptions

    @Test
    void serverDefaults() {
        ServerOptions o = ServerOptions.defaults();
        assertThat(o.host()).isEqualTo("0.0.0.0");
        assertThat(o.port()).isZero();
        assertThat(o.sslContext()).isNull();
        assertThat(o.perMessageDeflate()).isTrue();
        assertThat(o.maxMessageSize()).isEqualTo(64L << 20);
        assertThat(o.maxFrameSize()).isEqualTo(64L << 20);
        assertThat(o.maxBufferedAmount()).isEqualTo(256L << 20);
        assertThat(o.handshake()).isSameAs(HandshakeHandler.acceptAll());
        assertThat(o.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.pingInterval()).isEqualTo(Duration.ZERO);
        assertThat(o.maxRequestLineLength()).isEqualTo(8192);
        assertThat(o.maxHeaderBytes()).isEqualTo(16384);
        assertThat(o.maxHeaderCount()).isEqualTo(100);
        assertThat(o.executor()).isNull();
        assertThat(ServerOptions.builder().build()).isEqualTo(o).hasSameHashCodeAs(o);

        HandshakeRequest request = new HandshakeRequest("GET", "/", "", Map.of(), List.of("chat"), null);
        HandshakeDecision decision = o.handshake().decide(request);
        assertThat(decision.accepted()).isTrue();
        assertThat(decision.protocol()).isNull();
    }

    @Test
    void serverBuilderSetsEveryOption() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        Executor executor = Runnable::run;
        HandshakeHandler handler = r -> HandshakeDecision.reject(403, "no");
        ServerOptions o = ServerOptions.builder()
                .host("127.0.0.1").port(8080).sslContext(ssl).perMessageDeflate(false)
                .maxMessageSize(1 << 20).maxFrameSize(1 << 16).maxBufferedAmount(1 << 24)
                .handshake(handler).handshakeTimeout(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(1))
                .pingInterval(Duration.ofSeconds(20)).maxRequestLineLength(100).maxHeaderBytes(2000)
                .maxHeaderCount(10).executor(executor)
                .build();
        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(o.port()).isEqualTo(8080);
        assertThat(o.sslContext()).isSameAs(ssl);
        assertThat(o.perMessageDeflate()).isFalse();
        assertThat(o.maxMessageSize()).isEqualTo(1 << 20);
        assertThat(o.maxFrameSize()).isEqualTo(1 << 16);
        assertThat(o.maxBufferedAmount()).isEqualTo(1 << 24);
        assertThat(o.handshake()).isSameAs(handler);
        assertThat(o.handshakeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.closeTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.pingInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(o.maxRequestLineLength()).isEqualTo(100);
        assertThat(o.maxHeaderBytes()).isEqualTo(2000);
        assertThat(o.maxHeaderCount()).isEqualTo(10);
        assertThat(o.executor()).isSameAs(executor);

        ServerOptions copy = o.toBuilder().build();
        assertThat(copy).isEqualTo(o);
        ServerOptions changed = o.toBuilder().port(9090).build();
        assertThat(o.port()).isEqualTo(8080);
        assertThat(changed.port()).isEqualTo(9090);
        assertThat(changed.handshake()).isSameAs(handler);
        assertThat(changed).isNotEqualTo(o);
    }

    @Test
    void serverMaxFrameSizeFollowsMaxMessageSizeUntilSet() {
        assertThat(ServerOptions.builder().maxMessageSize(777).build().maxFrameSize()).isEqualTo(777);
        assertThat(ServerOptions.builder().maxFrameSize(5).maxMessageSize(777).build().maxFrameSize()).isEqualTo(5);
    }

    @Test
    void serverOptionsAreValidated() {
        ServerOptions.Builder b = ServerOptions.builder();
        assertThatThrownBy(() -> b.port(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> b.port(65536)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65536");
        assertThatThrownBy(() -> b.host(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.host("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.host("local host")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.handshake(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("handshake");
        assertThatThrownBy(() -> b.handshakeTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("handshakeTimeout");
        assertThatThrownBy(() -> b.closeTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.pingInterval(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxMessageSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxFrameSize(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxBufferedAmount(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxRequestLineLength(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRequestLineLength");
        assertThatThrownBy(() -> b.maxHeaderBytes(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxHeaderBytes");
        assertThatThrownBy(() -> b.maxHeaderCount(-3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxHeaderCount");

        ServerOptions o = b.port(0).port(65535).host("::").build();
        assertThat(o.port()).isEqualTo(65535);
        assertThat(o.host()).isEqualTo("::");
        assertThat(o.handshake()).isSameAs(HandshakeHandler.acceptAll());
        assertThat(o.toString()).contains("port=65535").contains("host=::");
    }

    @Test
    void theSecurityLimitsHaveDefaultsAndAreSetAndChecked() {
        ServerOptions d = ServerOptions.defaults();
        assertThat(d.allowedOrigins()).isEmpty();
        assertThat(d.requireOrigin()).isFalse();
        assertThat(d.maxConnectionsPerAddress()).isEqualTo(1_024);
        assertThat(d.maxPendingHandshakesPerAddress()).isEqualTo(64);
        assertThat(d.perAddressLimitsOnLoopback()).isFalse();
        assertThat(d.maxUnfinishedMessageBytes()).isEqualTo(256L << 20);
        assertThat(d.maxTemporaryFileBytes()).isEqualTo(1L << 30);
        assertThat(d.maxCompressionContexts()).isEqualTo(1_024);
        assertThat(d.messageAssemblyTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(WebSocketOptions.defaults().messageAssemblyTimeout()).isEqualTo(Duration.ofSeconds(60));

        ServerOptions o = ServerOptions.builder().allowedOrigins("https://a.example").requireOrigin(true)
                .maxConnectionsPerAddress(5).maxPendingHandshakesPerAddress(6).perAddressLimitsOnLoopback(true)
                .maxUnfinishedMessageBytes(7).maxTemporaryFileBytes(8).maxCompressionContexts(0)
                .messageAssemblyTimeout(Duration.ZERO).build();
        assertThat(o.allowedOrigins()).containsExactly("https://a.example");
        assertThat(o.requireOrigin()).isTrue();
        assertThat(o.maxConnectionsPerAddress()).isEqualTo(5);
        assertThat(o.maxPendingHandshakesPerAddress()).isEqualTo(6);
        assertThat(o.perAddressLimitsOnLoopback()).isTrue();
        assertThat(o.maxUnfinishedMessageBytes()).isEqualTo(7);
        assertThat(o.maxTemporaryFileBytes()).isEqualTo(8);
        assertThat(o.maxCompressionContexts()).isZero();
        assertThat(o.messageAssemblyTimeout()).isZero();
        assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
        assertThat(o).isNotEqualTo(d);
        assertThat(o.toString()).contains("allowedOrigins=[https://a.example]").contains("maxCompressionContexts=0");

        ServerOptions.Builder b = ServerOptions.builder();
        assertThatThrownBy(() -> b.maxConnectionsPerAddress(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConnectionsPerAddress");
        assertThatThrownBy(() -> b.maxPendingHandshakesPerAddress(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxUnfinishedMessageBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxTemporaryFileBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxCompressionContexts(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.messageAssemblyTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("messageAssemblyTimeout");
        assertThatThrownBy(() -> WebSocketOptions.builder().messageAssemblyTimeout(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void bothSidesShareTheConnectionOptionsAndTheirChecks() {
        // One setter per option, in ConnectionOptions: a client and a server builder check alike.
        for (ConnectionOptions.Builder<?> b : List.of(WebSocketOptions.builder(), ServerOptions.builder())) {
            assertThatThrownBy(() -> b.maxMessageSize(0)).hasMessage("maxMessageSize must be at least 1, but was 0");
            assertThatThrownBy(() -> b.closeTimeout(Duration.ZERO)).hasMessageContaining("closeTimeout must be positive");
        }
        assertThat(WebSocketOptions.IO_THREAD).isSameAs(ServerOptions.IO_THREAD).isSameAs(ConnectionOptions.IO_THREAD);
        WebSocketOptions client = WebSocketOptions.builder().maxMessageSize(5).idleTimeout(Duration.ofSeconds(3)).build();
        assertThat(client.maxMessageSize()).isEqualTo(5);
        assertThat(client.toString()).contains("maxMessageSize=5").contains("idleTimeout=PT3S");
    }
}
