package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.TestServer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames are written from their header fields straight into the event loop's write buffer. A
 * peer that reads only after a large backlog has built up makes the kernel take that buffer in
 * pieces that end anywhere: in a header (of 2, 4, 10, or with a mask key 6, 8, 14 bytes), a mask
 * key or a payload. Every frame must still arrive whole, in order, byte for byte.
 */
@Timeout(60)
class FrameWritingTest {
    private static final int MESSAGES = 400_000;
    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    // Sizes across every header form: 0-130 bytes (7-bit and 16-bit lengths), and now and then
    // 70,000 bytes (a 64-bit length).
    static byte[] message(int i) {
        int size = i % 5_000 == 4_999 ? 70_000 : (i * 37) % 131;
        byte[] b = new byte[size];
        for (int j = 0; j < size; j++) {
            b[j] = (byte) (i * 31 + j);
        }
        return b;
    }

    @Test
    void serverFramesOfEveryHeaderSizeSurviveWritesCutAnywhere() throws Exception {
        TestServer server = servers.start(a -> {
            for (int i = 0; i < MESSAGES; i++) {
                a.socket().send(message(i));
            }
        });
        try (RawPeer peer = RawPeer.connect(server.port())) {
            peer.handshake(server.port());
            Thread.sleep(300);      // let the backlog build up in the kernel and the server
            for (int i = 0; i < MESSAGES; i++) {
                RawPeer.Frame f = peer.readFrame(1 << 20);
                assertThat(f.opcode).as("opcode of message %d", i).isEqualTo(2);
                assertThat(f.fin).isTrue();
                assertThat(f.masked).as("a server never masks").isFalse();
                assertThat(f.payload).as("message %d", i).isEqualTo(message(i));
            }
        }
    }

    @Test
    void clientFramesOfEveryHeaderSizeSurviveWritesCutAnywhere() throws Exception {
        List<String> problems = new CopyOnWriteArrayList<>();
        CountDownLatch checked = new CountDownLatch(1);
        FakeServer fake = servers.track(FakeServer.start(peer -> {
            peer.completeHandshake("");
            Thread.sleep(300);      // let the backlog build up in the kernel and the client
            for (int i = 0; i < MESSAGES && problems.isEmpty(); i++) {
                FakeServer.Frame f = peer.readFrame();
                if (f.opcode() != 2 || !f.fin() || !f.masked() || !java.util.Arrays.equals(f.payload(), message(i))) {
                    problems.add("message " + i + ": opcode " + f.opcode() + ", fin " + f.fin() + ", masked "
                            + f.masked() + ", " + f.payload().length + " bytes (expected " + message(i).length + ")");
                }
            }
            checked.countDown();
        }));
        WebSocket ws = servers.client("ws://127.0.0.1:" + fake.port() + "/");
        EventLog log = EventLog.attach(ws);
        log.awaitOpen();
        for (int i = 0; i < MESSAGES; i++) {
            ws.send(message(i));
        }
        assertThat(checked.await(50, TimeUnit.SECONDS)).as("the fake server read every message").isTrue();
        assertThat(fake.scriptErrors).isEmpty();
        assertThat(problems).isEmpty();
    }
}
