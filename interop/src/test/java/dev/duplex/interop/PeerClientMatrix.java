package dev.duplex.interop;

import dev.duplex.CloseEvent;
import dev.duplex.HandshakeDecision;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocketServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/** The matrix with the peer as the client, connecting to a Duplex server. */
abstract class PeerClientMatrix extends AgentMatrix {
    private static final List<String> SUPPORTED = List.of("chat", "superchat");
    private final Map<String, CompletableFuture<Link>> pending = new ConcurrentHashMap<>();
    private Peer client;
    private WebSocketServer plain;
    private WebSocketServer deflating;

    /** Starts the peer's client script, which connects where its stdin says. */
    abstract Peer startClient() throws IOException;

    /** Whether the peer fails a handshake in which the server selected none of its subprotocols. */
    abstract boolean peerRequiresASelectedProtocol();

    @BeforeAll
    void startPeers() throws IOException {
        plain = server(false);
        deflating = server(true);
        client = startClient();
        Env.report(peerName() + ": " + client.ready());
    }

    @Override
    void stopPeers() {
        if (client != null) {
            client.close();
        }
        if (plain != null) {
            plain.close();
        }
        if (deflating != null) {
            deflating.close();
        }
    }

    private WebSocketServer server(boolean deflate) {
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .perMessageDeflate(deflate).maxMessageSize(256L << 20)
                .handshake(request -> request.path().startsWith("/noproto") ? HandshakeDecision.accept()
                        : request.protocols().stream().filter(SUPPORTED::contains).findFirst()
                                .map(HandshakeDecision::accept).orElse(HandshakeDecision.accept()))
                .build());
        server.onconnection(event -> {
            // handlers go on inside onconnection: the socket's events wait until it returns
            Recorder events = Recorder.attach(event.socket());
            String id = event.request().path();
            pending.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(new Link(id, event.socket(), events, client));
        });
        server.start();
        return server;
    }

    private void dial(boolean deflate, String path, List<String> protocols) {
        Map<String, Object> command = new LinkedHashMap<>();
        command.put("op", "connect");
        command.put("id", path);
        command.put("url", "ws://127.0.0.1:" + (deflate ? deflating : plain).port() + path);
        command.put("protocols", protocols);
        command.put("deflate", deflate);
        client.send(command);
    }

    @Override
    Link connect(boolean deflate, String path, List<String> protocols) throws Exception {
        CompletableFuture<Link> future = pending.computeIfAbsent(path, k -> new CompletableFuture<>());
        dial(deflate, path, protocols);
        Link link;
        try {
            link = future.get(SHORT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the peer did not connect to the Duplex server" + client.diagnostics());
        }
        client.awaitEvent(path, "open", SHORT);
        return link;
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void server_closes_with_going_away(boolean deflate) throws Exception {
        Link link = connect(deflate, path("going-away"), List.of());
        link.socket().close(1001, "going away");
        CloseEvent close = link.events().awaitClose(SHORT);
        assertThat(close.code()).isEqualTo(1001);
        assertThat(close.wasClean()).isTrue();
        assertThat(link.peerEvent("close", SHORT)).containsEntry("code", 1001L).containsEntry("reason", "going away");
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void server_that_selects_no_subprotocol(boolean deflate) {
        String path = "/noproto" + path("noproto");
        dial(deflate, path, List.of("chat"));
        Map<String, Object> first = client.await(l -> path.equals(l.get("id"))
                && ("open".equals(l.get("ev")) || "error".equals(l.get("ev"))), SHORT);
        Env.report(peerName() + " offered [chat], Duplex server selected none: peer " + first);
        assertThat(first.get("ev")).isEqualTo(peerRequiresASelectedProtocol() ? "error" : "open");
        if (!peerRequiresASelectedProtocol()) {
            assertThat(first).containsEntry("protocol", "");
        }
    }
}
