package dev.duplex.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ConnectTunnel}, item by item as its class comment lists them, with byte vectors. */
class ConnectTunnelTest {

    // 1. The request.

    @Test
    void theRequestNamesTheTargetTwiceAndEndsWithAnEmptyLine() {
        ConnectTunnel t = new ConnectTunnel("example.com:443", null);
        assertThat(ascii(t.request())).isEqualTo("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    }

    @Test
    void credentialsGoInProxyAuthorization() {
        ConnectTunnel t = new ConnectTunnel("[::1]:8443", "Basic dXNlcjpwYXNz");
        assertThat(ascii(t.request())).isEqualTo("CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n"
                + "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n");
        assertThat(t.target()).isEqualTo("[::1]:8443");
    }

    // 2. The answer: any chopping, bytes after the head left for the tunnel.

    private static final String ESTABLISHED = "HTTP/1.1 200 Connection established\r\nVia: 1.1 proxy\r\n\r\n";
    private static final String TUNNEL_BYTES = "\u0016\u0003\u0001";       // a TLS record's start

    @Test
    void everySplitOfTheAnswerGivesTheSameHeadAndLeavesTheTunnelsBytes() throws HandshakeException {
        byte[] wire = (ESTABLISHED + TUNNEL_BYTES).getBytes(StandardCharsets.ISO_8859_1);
        for (int cut = 0; cut <= wire.length; cut++) {
            ConnectTunnel t = new ConnectTunnel("example.com:443", null);
            ByteBuffer first = ByteBuffer.wrap(wire, 0, cut);
            HttpHead head = t.feed(first);
            int left;
            if (head != null) {
                left = first.remaining() + (wire.length - cut);
            } else {
                assertThat(first.hasRemaining()).as("an unfinished head is consumed whole").isFalse();
                ByteBuffer rest = ByteBuffer.wrap(wire, cut, wire.length - cut);
                head = t.feed(rest);
                left = rest.remaining();
            }
            assertThat(head).as("cut at %d", cut).isNotNull();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Via")).isEqualTo("1.1 proxy");
            assertThat(left).as("bytes after the head, cut at %d", cut).isEqualTo(TUNNEL_BYTES.length());
        }
    }

    @Test
    void byteByByteTheHeadArrivesWithItsLastByte() throws HandshakeException {
        byte[] wire = ESTABLISHED.getBytes(StandardCharsets.ISO_8859_1);
        ConnectTunnel t = new ConnectTunnel("h:1", null);
        for (int i = 0; i < wire.length - 1; i++) {
            assertThat(t.feed(ByteBuffer.wrap(wire, i, 1))).isNull();
        }
        assertThat(t.feed(ByteBuffer.wrap(wire, wire.length - 1, 1))).isNotNull();
    }

    @Test
    void aMalformedAnswerFails() {
        ConnectTunnel t = new ConnectTunnel("h:1", null);
        assertThatThrownBy(() -> t.feed(ByteBuffer.wrap("SSH-2.0-OpenSSH\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))))
                .isInstanceOf(HandshakeException.class);
    }

    @Test
    void anAnswerHeadOverTheLimitFails() {
        ConnectTunnel t = new ConnectTunnel("h:1", null);
        String huge = "HTTP/1.1 200 OK\r\n" + ("X-Padding: " + "a".repeat(1000) + "\r\n").repeat(17) + "\r\n";
        assertThat(huge.length()).isGreaterThan(ConnectTunnel.MAX_ANSWER_HEAD);
        assertThatThrownBy(() -> t.feed(ByteBuffer.wrap(huge.getBytes(StandardCharsets.ISO_8859_1))))
                .isInstanceOf(HandshakeException.class);
    }

    // 3. 2xx opens the tunnel; anything else is a refusal.

    @Test
    void only2xxEstablishesTheTunnel() throws HandshakeException {
        assertThat(ConnectTunnel.established(answer("HTTP/1.1 200 OK\r\n\r\n"))).isTrue();
        assertThat(ConnectTunnel.established(answer("HTTP/1.0 204 No Content\r\n\r\n"))).isTrue();
        assertThat(ConnectTunnel.established(answer("HTTP/1.1 407 Proxy Authentication Required\r\n"
                + "Proxy-Authenticate: Basic realm=\"p\"\r\n\r\n"))).isFalse();
        assertThat(ConnectTunnel.established(answer("HTTP/1.1 301 Moved\r\nLocation: /\r\n\r\n"))).isFalse();
        assertThat(ConnectTunnel.established(answer("HTTP/1.1 502 Bad Gateway\r\n\r\n"))).isFalse();
    }

    private static HttpHead answer(String s) throws HandshakeException {
        return new ConnectTunnel("h:1", null).feed(ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static String ascii(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
