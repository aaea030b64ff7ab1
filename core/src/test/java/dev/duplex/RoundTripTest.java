package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.Accepted;
import dev.duplex.TestServers.TestServer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Messages of every length class through an echo server, contents verified both ways. */
@Timeout(60)
class RoundTripTest {
    private final TestServers servers = new TestServers();
    private TestServer server;

    @BeforeEach
    void setUp() {
        server = servers.echo();
    }

    @AfterEach
    void tearDown() {
        servers.close();
    }

    static String asciiText(int bytes) {
        char[] c = new char[bytes];
        for (int i = 0; i < bytes; i++) {
            c[i] = (char) ('a' + (i * 7 + i / 26) % 26);
        }
        return new String(c);
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest(name = "text of {0} bytes")
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 65537, 16 << 20})
    void text(int size) {
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        String text = asciiText(size);
        client.socket().send(text);
        Object echoed = client.awaitMessage();
        assertThat(echoed).isInstanceOf(String.class);
        assertThat(((String) echoed).length()).isEqualTo(size);
        assertThat(echoed.equals(text)).as("echoed text equals the sent text").isTrue();
        assertThat(a.log().awaitMessage().equals(text)).as("server got the sent text").isTrue();
        client.assertWellFormed();
    }

    @ParameterizedTest(name = "binary of {0} bytes")
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 65537, 16 << 20})
    void binary(int size) {
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        byte[] data = randomBytes(size, size);
        client.socket().send(data);
        Object echoed = client.awaitMessage();
        assertThat(echoed).isInstanceOf(Blob.class);
        Blob blob = (Blob) echoed;
        assertThat(blob.size()).isEqualTo(size);
        assertThat(Arrays.equals(blob.bytes(), data)).as("echoed bytes equal the sent bytes").isTrue();
        assertThat(Arrays.equals(((Blob) a.log().awaitMessage()).bytes(), data)).as("server got the bytes").isTrue();
    }

    @ParameterizedTest(name = "binary of {0} bytes as ArrayBuffer")
    @ValueSource(ints = {0, 126, 65536, 16 << 20})
    void binaryAsArrayBuffer(int size) {
        WebSocket ws = servers.client(server.url());
        ws.binaryType(BinaryType.ARRAYBUFFER);
        EventLog client = EventLog.attach(ws);
        client.awaitOpen();
        byte[] data = randomBytes(size, 42 + size);
        ws.send(ByteBuffer.wrap(data));
        ByteBuffer echoed = (ByteBuffer) client.awaitMessage();
        assertThat(echoed.remaining()).isEqualTo(size);
        assertThat(echoed.equals(ByteBuffer.wrap(data))).isTrue();
    }

    @Test
    void fourByteUtf8() {
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        String emoji = "\uD83D\uDE00";
        assertThat(emoji.getBytes(StandardCharsets.UTF_8)).hasSize(4);
        client.socket().send(emoji);
        assertThat(client.awaitMessage()).isEqualTo(emoji);
        assertThat(a.log().awaitMessage()).isEqualTo(emoji);
    }

    @Test
    void mixedUtf8AcrossLengthBoundaries() {
        // 1-, 2-, 3- and 4-byte sequences, long enough that code points straddle read boundaries
        StringBuilder sb = new StringBuilder();
        String[] pieces = {"a", "\u00e9", "\u20ac", "\uD83D\uDE00", "\uD800\uDC00", "\uDBFF\uDFFF", "\uFFFD", "\u0000"};
        int bytes = 0;
        for (int i = 0; bytes < 200_000; i++) {
            String piece = pieces[i % pieces.length];
            if (i % 1000 == 999) {
                piece = pieces[(i / 1000) % pieces.length].repeat(3);
            }
            sb.append(piece);
            bytes += piece.getBytes(StandardCharsets.UTF_8).length;
        }
        String text = sb.toString();
        EventLog client = servers.openClient(server);
        client.socket().send(text);
        client.socket().send("\uD83D\uDE00".repeat(16_384));  // exactly 65536 bytes
        List<Object> got = client.awaitMessages(2);
        assertThat(got.get(0).equals(text)).isTrue();
        assertThat(got.get(1)).isEqualTo("\uD83D\uDE00".repeat(16_384));
    }

    @Test
    void manyMessagesArriveInOrder() {
        EventLog client = servers.openClient(server);
        int n = 3000;
        for (int i = 0; i < n; i++) {
            if (i % 3 == 0) {
                client.socket().send(new byte[] {(byte) i, (byte) (i >> 8)});
            } else {
                client.socket().send("#" + i);
            }
        }
        List<Object> got = client.awaitMessages(n);
        for (int i = 0; i < n; i++) {
            if (i % 3 == 0) {
                assertThat(((Blob) got.get(i)).bytes()).as("message %d", i).containsExactly((byte) i, (byte) (i >> 8));
            } else {
                assertThat(got.get(i)).as("message %d", i).isEqualTo("#" + i);
            }
        }
        client.assertQuietFor(100);
        client.assertWellFormed();
        assertThat(client.messages()).hasSize(n);
    }
}
