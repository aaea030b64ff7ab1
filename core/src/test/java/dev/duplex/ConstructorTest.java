package dev.duplex;

import static dev.duplex.SendTest.assertDomException;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.TestServer;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Constructor validation: the URL, bad ports, protocols; no connection is made when it throws. */
@Timeout(20)
class ConstructorTest {
    private final TestServers servers = new TestServers();
    private FakeServer counter;

    @BeforeEach
    void setUp() throws Exception {
        counter = servers.track(FakeServer.start(FakeServer.Peer::drain));
    }

    @AfterEach
    void tearDown() {
        servers.close();
    }

    private String here(String rest) {
        return "ws://127.0.0.1:" + counter.port() + rest;
    }

    private void assertNoConnectionAttempt() {
        EventLog.sleep(50);
        assertThat(counter.connections.get()).as("connections made by constructors that threw").isZero();
    }

    @ParameterizedTest(name = "SyntaxError for \"{0}\"")
    @ValueSource(strings = {
        "ftp://127.0.0.1:PORT/", "file:///etc/passwd", "mailto:a@b.c", "javascript:alert(1)", "wsx://127.0.0.1:PORT/",
        "ws://127.0.0.1:PORT/#", "ws://127.0.0.1:PORT/#frag", "ws://127.0.0.1:PORT/path?q=1#frag",
        "http://127.0.0.1:PORT/#x", "not a url", "", "/relative/path", "//127.0.0.1:PORT/", "ws://", "ws:///",
        "ws://[::1", "ws://127.0.0.1:99999/", "ws://127.0.0.1:PORTx/", "ws://exa mple.com/",
    })
    void badUrlsAreSyntaxErrors(String template) {
        String url = template.replace("PORT", Integer.toString(counter.port()));
        assertDomException(() -> servers.client(url), "SyntaxError", DOMException.SYNTAX_ERR);
        assertNoConnectionAttempt();
    }

    @ParameterizedTest(name = "SecurityError for port {0}")
    @ValueSource(ints = {1, 21, 22, 25, 6000, 6665, 6667, 6669, 10080})
    void badPortsAreSecurityErrors(int port) {
        assertDomException(() -> servers.client("ws://127.0.0.1:" + port + "/"), "SecurityError", 18);
        assertDomException(() -> servers.client("ws://localhost:" + port), "SecurityError",
                DOMException.SECURITY_ERR);
        assertDomException(() -> servers.client("http://127.0.0.1:" + port + "/x"), "SecurityError", 18);
    }

    @Test
    void portsNextToBadOnesAreFine() {
        servers.client("ws://127.0.0.1:6670/");
        servers.client("ws://127.0.0.1:10081/");
    }

    @Test
    void duplicateProtocolsAreSyntaxErrors() {
        assertDomException(() -> servers.client(here("/"), "chat", "chat"), "SyntaxError", 12);
        assertDomException(() -> servers.client(here("/"), "a", "b", "a"), "SyntaxError", 12);
        assertDomException(() -> servers.client(here("/"), List.of("x", "x"), WebSocketOptions.defaults()),
                "SyntaxError", 12);
        assertNoConnectionAttempt();
    }

    @ParameterizedTest(name = "SyntaxError for protocol \"{0}\"")
    @ValueSource(strings = {"", "a b", "a,b", "chat;v=1", "(x)", "\u00e9", "tab\there", "line\n", "a/b", "x=y", "\"q\"",
        "[x]", "{x}", "a:b", "a@b", "a?b", "a\\b"})
    void nonTokenProtocolsAreSyntaxErrors(String protocol) {
        assertDomException(() -> servers.client(here("/"), protocol), "SyntaxError", 12);
        assertDomException(() -> servers.client(here("/"), "ok", protocol), "SyntaxError", 12);
        assertNoConnectionAttempt();
    }

    @Test
    void tokenProtocolsAreAccepted() {
        WebSocket ws = servers.client(here("/"), "chat", "v1.json", "x-custom_proto~!#$%&'*+-.^`|");
        assertThat(ws.url()).isEqualTo(here("/"));
        EventLog.waitUntil("the connection reaches the fake server", () -> counter.connections.get() == 1);
    }

    @Test
    void httpIsAcceptedAndMeansWs() {
        TestServer server = servers.echo();
        WebSocket ws = servers.client("http://127.0.0.1:" + server.port() + "/h?q");
        assertThat(ws.url()).isEqualTo("ws://127.0.0.1:" + server.port() + "/h?q");
        EventLog log = EventLog.attach(ws);
        log.awaitOpen();
        assertThat(server.nextConnection().request().path()).isEqualTo("/h");
    }

    @Test
    void httpsIsAcceptedAndMeansWss() {
        WebSocket ws = servers.client("HTTPS://127.0.0.1:" + counter.port() + "/s");
        assertThat(ws.url()).isEqualTo("wss://127.0.0.1:" + counter.port() + "/s");
        WebSocket ws2 = servers.client("https://127.0.0.1:443/s");
        assertThat(ws2.url()).isEqualTo("wss://127.0.0.1/s");
    }

    @Test
    void noProtocolsIsLikeAnEmptyArray() {
        WebSocket ws = servers.client(here("/"), new String[0]);
        assertThat(ws.url()).isEqualTo(here("/"));
        WebSocket ws2 = servers.client(here("/"), Arrays.asList(), WebSocketOptions.defaults());
        assertThat(ws2.url()).isEqualTo(here("/"));
    }
}
