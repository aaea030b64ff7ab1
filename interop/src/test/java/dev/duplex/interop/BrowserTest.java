package dev.duplex.interop;

import dev.duplex.Blob;
import dev.duplex.CloseEvent;
import dev.duplex.HandshakeDecision;
import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Headless Chromium (Debian's, driven by playwright-core) opening WebSockets to a Duplex server:
 * echo of strings, ArrayBuffers and Blobs up to 16 MiB, the negotiated extensions, subprotocol
 * selection, closes both ways and 50 sockets at once from one page.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BrowserTest {
    private static final Duration LONG = Duration.ofSeconds(120);
    private static final Duration SHORT = Duration.ofSeconds(20);

    private Browser browser;
    private WebSocketServer plain;
    private WebSocketServer deflating;
    /** Close events of the server-side sockets, by request path. */
    private final BlockingQueue<String> serverCloses = new LinkedBlockingQueue<>();
    private final AtomicInteger mostAtOnce = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        plain = server(false);
        deflating = server(true);
        browser = Browser.start();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (plain != null) {
            plain.close();
        }
        if (deflating != null) {
            deflating.close();
        }
    }

    /**
     * Echoes every message (same type), then acknowledges it with the length and SHA-256 of what
     * it received; closes with 4003 when told "close-me"; records how the page closed.
     */
    private WebSocketServer server(boolean deflate) {
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .perMessageDeflate(deflate).maxMessageSize(256L << 20)
                .handshake(request -> request.protocols().contains("chat") ? HandshakeDecision.accept("chat")
                        : request.protocols().contains("superchat") ? HandshakeDecision.accept("superchat")
                        : HandshakeDecision.accept())
                .build());
        server.onconnection(event -> {
            WebSocket ws = event.socket();
            String path = event.request().path();
            mostAtOnce.accumulateAndGet(server.clients().size(), Math::max);
            ws.onmessage(e -> {
                Object data = ((MessageEvent) e).data();
                if ("close-me".equals(data)) {
                    ws.close(4003, "server says bye ✓");
                    return;
                }
                byte[] bytes = Payloads.bytes(data);
                if (data instanceof String s) {
                    ws.send(s);
                } else if (data instanceof Blob blob) {
                    ws.send(blob);
                } else {
                    ws.send((ByteBuffer) data);
                }
                ws.send("{\"ack\":\"" + Payloads.kind(data) + "\",\"type\":\"" + data.getClass().getSimpleName()
                        + "\",\"len\":" + bytes.length + ",\"sha256\":\"" + Payloads.sha256(bytes) + "\"}");
            });
            ws.onclose(e -> {
                CloseEvent c = (CloseEvent) e;
                serverCloses.add(path + " " + c.code() + " " + c.reason() + " " + c.wasClean());
            });
        });
        server.start();
        return server;
    }

    private String url(boolean deflate, String path) {
        return "ws://127.0.0.1:" + (deflate ? deflating : plain).port() + path;
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    @SuppressWarnings("unchecked")
    void echoes_strings_array_buffers_and_blobs_up_to_16_MiB(boolean deflate) {
        List<Map<String, Object>> cases = new ArrayList<>();
        for (String kind : List.of("text", "arraybuffer", "blob")) {
            for (int size : new int[] {0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20}) {
                cases.add(Map.of("kind", kind, "size", size));
            }
        }
        Map<String, Object> out = browser.callObject(LONG, "echoCases", url(deflate, "/echo"), cases);
        List<Map<String, Object>> results = (List<Map<String, Object>>) out.get("results");
        assertThat(results).hasSize(cases.size());
        for (Map<String, Object> r : results) {
            String what = r.get("kind") + " of " + r.get("size") + " bytes";
            String expectedType = switch ((String) r.get("kind")) {
                case "text" -> "string";
                case "blob" -> "Blob";
                default -> "ArrayBuffer";
            };
            assertThat(r.get("echoType")).as(what).isEqualTo(expectedType);
            assertThat(r.get("echoLength")).as(what).isEqualTo(r.get("size"));
            assertThat(r.get("echoHash")).as(what + ": the echo").isEqualTo(r.get("sentHash"));
            Map<String, Object> ack = (Map<String, Object>) r.get("ack");
            assertThat(ack.get("sha256")).as(what + ": what the Duplex server received").isEqualTo(r.get("sentHash"));
            assertThat(ack.get("ack")).isEqualTo(r.get("kind").equals("text") ? "text" : "binary");
        }
        Map<String, Object> close = (Map<String, Object>) out.get("close");
        assertThat(close).containsEntry("code", 1000L).containsEntry("wasClean", true);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void shows_the_negotiated_extensions(boolean deflate) {
        Map<String, Object> info = browser.callObject(SHORT, "negotiated", url(deflate, "/extensions"));
        Env.report("chromium " + browser.ready().get("chromium") + " -> Duplex server deflate=" + deflate
                + ": page's ws.extensions='" + info.get("extensions") + "'");
        assertThat(info).containsEntry("opened", true);
        if (deflate) {
            assertThat((String) info.get("extensions")).startsWith("permessage-deflate");
        } else {
            assertThat(info).containsEntry("extensions", "");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void selects_a_subprotocol() {
        Map<String, Object> info = browser.callObject(SHORT, "negotiated", url(true, "/subprotocol"),
                List.of("x-unknown", "superchat", "chat"));
        assertThat(info).containsEntry("opened", true).containsEntry("protocol", "chat");
        // protocols were requested and the server selected none: the browser fails the connection
        Map<String, Object> none = browser.callObject(SHORT, "negotiated", url(true, "/subprotocol"), List.of("x-unknown"));
        assertThat(none).containsEntry("opened", false);
        assertThat((Map<String, Object>) none.get("close")).containsEntry("code", 1006L).containsEntry("wasClean", false);
        // no protocol requested, none selected
        Map<String, Object> plainSocket = browser.callObject(SHORT, "negotiated", url(true, "/subprotocol"));
        assertThat(plainSocket).containsEntry("opened", true).containsEntry("protocol", "");
    }

    @Test
    @SuppressWarnings("unchecked")
    void page_sees_the_servers_close_code_and_reason() {
        Map<String, Object> close = browser.callObject(SHORT, "serverCloses", url(true, "/server-close"));
        assertThat(close).containsEntry("code", 4003L).containsEntry("reason", "server says bye ✓")
                .containsEntry("wasClean", true);
        assertThat((List<String>) close.get("events")).containsExactly("open");
    }

    @Test
    void duplex_sees_the_pages_close_code_and_reason() throws Exception {
        serverCloses.clear();
        Map<String, Object> close = browser.callObject(SHORT, "pageCloses", url(true, "/page-close"), 4321, "page leaves 👋");
        assertThat(close).containsEntry("code", 4321L).containsEntry("wasClean", true).containsEntry("readyStateAfterClose", 2L);
        String seen = serverCloses.poll(10, TimeUnit.SECONDS);
        assertThat(seen).isEqualTo("/page-close 4321 page leaves 👋 true");
    }

    @Test
    void duplex_sees_1005_when_the_page_closes_without_a_code() throws Exception {
        // Chromium's close() sends a close frame with no status: the server's close event says 1005.
        serverCloses.clear();
        Map<String, Object> close = browser.callObject(SHORT, "pageCloses", url(true, "/page-close-no-code"));
        assertThat(close).containsEntry("code", 1005L).containsEntry("wasClean", true);
        assertThat(serverCloses.poll(10, TimeUnit.SECONDS)).isEqualTo("/page-close-no-code 1005  true");
    }

    @Test
    void fifty_sockets_at_once_from_one_page() throws Exception {
        mostAtOnce.set(0);
        serverCloses.clear();
        Map<String, Object> opened = browser.callObject(LONG, "openMany", url(true, "/many"), 50);
        assertThat(opened).containsEntry("open", 50L).containsEntry("echoesRight", 50L);
        assertThat(deflating.clients()).hasSizeGreaterThanOrEqualTo(50);
        assertThat(mostAtOnce.get()).isGreaterThanOrEqualTo(50);
        Map<String, Object> closed = browser.callObject(LONG, "closeMany");
        assertThat(closed).containsEntry("clean", 50L);
        for (int i = 0; i < 50; i++) {
            assertThat(serverCloses.poll(10, TimeUnit.SECONDS)).as("server-side close " + i).startsWith("/many 40");
        }
    }

    @Test
    void a_page_of_an_origin_not_in_allowedOrigins_cannot_connect() throws Exception {
        // Cross-site WebSocket hijacking (issue 14): the page's own origin decides, as Chromium sends it.
        String pageOrigin = browser.pageUrl().replaceAll("^(http://[^/]+)/.*$", "$1");
        WebSocketServer strict = originServer("https://app.example");
        WebSocketServer allowing = originServer("https://app.example", pageOrigin);
        try {
            Map<String, Object> refused = browser.callObject(SHORT, "tryOpen", "ws://127.0.0.1:" + strict.port() + "/", "x");
            assertThat(refused.get("opened")).as("%s", refused).isEqualTo(false);
            assertThat(((Number) refused.get("code")).intValue()).isEqualTo(1006);
            Map<String, Object> allowed = browser.callObject(SHORT, "tryOpen", "ws://127.0.0.1:" + allowing.port() + "/", "hi");
            assertThat(allowed).as("%s", allowed).containsEntry("opened", true).containsEntry("answer", "hi");
        } finally {
            strict.close();
            allowing.close();
        }
    }

    private static WebSocketServer originServer(String... origins) {
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .allowedOrigins(origins).build());
        server.onconnection(event -> {
            WebSocket ws = event.socket();
            ws.onmessage(e -> ws.send((String) ((MessageEvent) e).data()));
        });
        server.start();
        return server;
    }
}
