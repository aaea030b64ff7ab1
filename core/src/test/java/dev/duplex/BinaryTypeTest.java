package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.Accepted;
import dev.duplex.TestServers.TestServer;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** binaryType: Blob or ByteBuffer, read when each message event is dispatched. */
@Timeout(20)
class BinaryTypeTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    static byte[] bytesOf(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void defaultIsBlob() throws Exception {
        byte[] data = pattern(256);
        TestServer server = servers.onGo(s -> s.send(data));
        WebSocket ws = servers.goClient(server);
        assertThat(ws.binaryType()).isEqualTo(BinaryType.BLOB);
        EventLog log = EventLog.attach(ws);
        Object got = log.awaitMessage();
        assertThat(got).isInstanceOf(Blob.class);
        Blob blob = (Blob) got;
        assertThat(blob.size()).isEqualTo(256);
        assertThat(blob.bytes()).isEqualTo(data);
        assertThat(bytesOf(blob.arrayBuffer())).isEqualTo(data);
        try (var in = blob.stream()) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(blob.slice(10, 20).bytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 10, 20));
    }

    @Test
    void arrayBufferGivesByteBuffers() {
        byte[] data = pattern(1000);
        TestServer server = servers.onGo(s -> s.send(data));
        WebSocket ws = servers.goClient(server);
        ws.binaryType(BinaryType.ARRAYBUFFER);
        assertThat(ws.binaryType()).isEqualTo(BinaryType.ARRAYBUFFER);
        EventLog log = EventLog.attach(ws);
        Object got = log.awaitMessage();
        assertThat(got).isInstanceOf(ByteBuffer.class);
        ByteBuffer buffer = (ByteBuffer) got;
        assertThat(buffer.position()).isZero();
        assertThat(bytesOf(buffer)).isEqualTo(data);
    }

    @Test
    void textStaysStringWhateverTheBinaryType() {
        TestServer server = servers.onGo(s -> {
            s.send("one");
            s.send("two");
        });
        WebSocket ws = servers.goClient(server);
        ws.binaryType(BinaryType.ARRAYBUFFER);
        EventLog log = EventLog.attach(ws);
        ws.onmessage(e -> ws.binaryType(BinaryType.BLOB));
        assertThat(log.awaitMessages(2)).containsExactly("one", "two");
    }

    @Test
    void switchingBetweenMessagesAffectsMessagesAlreadyReceived() {
        // the server sends three binary messages at once; the client's handler for the first
        // waits until the other two have surely arrived, then switches binaryType
        TestServer server = servers.onGo(s -> {
            s.send(new byte[] {1});
            s.send(new byte[] {2});
            s.send(new byte[] {3});
            s.send(new byte[] {4});
        });
        WebSocket ws = servers.goClient(server);
        EventLog log = EventLog.attach(ws);
        int[] seen = {0};
        ws.onmessage(e -> {
            seen[0]++;
            if (seen[0] == 1) {
                EventLog.sleep(300);
                ws.binaryType(BinaryType.ARRAYBUFFER);
            } else if (seen[0] == 2) {
                ws.binaryType(BinaryType.BLOB);
            } else if (seen[0] == 3) {
                ws.binaryType(BinaryType.ARRAYBUFFER);
            }
        });
        List<Object> got = log.awaitMessages(4);
        assertThat(got.get(0)).isInstanceOf(Blob.class);
        assertThat(got.get(1)).as("received before the switch, dispatched after it").isInstanceOf(ByteBuffer.class);
        assertThat(got.get(2)).isInstanceOf(Blob.class);
        assertThat(got.get(3)).isInstanceOf(ByteBuffer.class);
        assertThat(((Blob) got.get(0)).bytes()).containsExactly(1);
        assertThat(bytesOf((ByteBuffer) got.get(1))).containsExactly(2);
        assertThat(((Blob) got.get(2)).bytes()).containsExactly(3);
        assertThat(bytesOf((ByteBuffer) got.get(3))).containsExactly(4);
    }

    @Test
    void serverSocketsHaveABinaryTypeToo() {
        TestServer server = servers.start(a -> {
            assertThat(a.socket().binaryType()).isEqualTo(BinaryType.BLOB);
            a.socket().binaryType(BinaryType.ARRAYBUFFER);
        });
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        client.socket().send(new byte[] {5, 6});
        Object got = a.log().awaitMessage();
        assertThat(got).isInstanceOf(ByteBuffer.class);
        assertThat(bytesOf((ByteBuffer) got)).containsExactly(5, 6);
    }
}
