package dev.duplex;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Messages that go to temporary files on arrival, and blobs streamed from their source when sent. */
@Timeout(120)
class LargeMessageTest {
    @RegisterExtension
    static final TestKit kit = new TestKit();

    @TempDir
    Path dir;

    /** A server that echoes binary messages as it received them (a Blob, streamed back when large). */
    private WebSocketServer echo(ServerOptions.Builder b) {
        return kit.server(b, e -> {
            WebSocket ws = e.socket();
            ws.onmessage(m -> {
                Object data = ((MessageEvent) m).data();
                if (data instanceof Blob blob) {
                    ws.send(blob);
                } else {
                    ws.send("echo:" + data);
                }
            });
        });
    }

    private long filesIn(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().startsWith("duplex-message-")).count();
        }
    }

    @Test
    void largeBinaryMessagesArriveAsFileBackedBlobsBothWays() throws Exception {
        Path serverDir = Files.createDirectory(dir.resolve("server"));
        Path clientDir = Files.createDirectory(dir.resolve("client"));
        WebSocketServer server = echo(ServerOptions.builder().largeMessageThreshold(1 << 20).temporaryDirectory(serverDir));
        TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/", WebSocketOptions.builder()
                .largeMessageThreshold(1 << 20).temporaryDirectory(clientDir).build());
        c.ws.binaryType(BinaryType.BLOB);
        assertThat(c.next().type()).isEqualTo("open");
        GeneratedBlob sent = new GeneratedBlob(5_000_000, 42);
        c.ws.send(sent);                 // over the 4 MiB stream threshold: sent in fragments
        c.ws.send("after the blob");     // must arrive after it
        Object data = ((MessageEvent) c.next()).data();
        assertThat(data).isInstanceOf(FileBlob.class);
        Blob got = (Blob) data;
        assertThat(got.size()).isEqualTo(5_000_000);
        assertThat(GeneratedBlob.sha256(got)).isEqualTo(sent.sha256());
        assertThat(got.slice(1000, 1010).bytes()).isEqualTo(new GeneratedBlob(5_000_000, 42).slice(1000, 1010).bytes());
        assertThat(((MessageEvent) c.next()).data()).isEqualTo("echo:after the blob");
        assertThat(filesIn(clientDir)).isEqualTo(1);
        assertThat(c.ws.bufferedAmount()).isZero();

        // The temporary file goes away once nothing refers to the blob.
        WeakReference<Blob> ref = new WeakReference<>(got);
        got = null;
        data = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((ref.get() != null || filesIn(clientDir) > 0) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(filesIn(clientDir)).as("temporary files left in the client's directory").isZero();
        c.ws.close();
        assertThat(c.awaitClose().wasClean()).isTrue();
    }

    @Test
    void spilledMessageWithArrayBufferTypeIsAReadOnlyMappedBuffer() throws Exception {
        WebSocketServer server = echo(ServerOptions.builder());
        TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/", WebSocketOptions.builder()
                .largeMessageThreshold(64 * 1024).temporaryDirectory(dir).build());
        assertThat(c.next().type()).isEqualTo("open");
        byte[] bytes = new byte[300_000];
        new java.util.Random(5).nextBytes(bytes);
        c.ws.send(bytes);
        ByteBuffer b = (ByteBuffer) ((MessageEvent) c.next()).data();
        assertThat(b.isReadOnly()).isTrue();
        byte[] copy = new byte[b.remaining()];
        b.get(copy);
        assertThat(copy).isEqualTo(bytes);
    }

    @Test
    void fileBlobIsSentFromTheFileAndCloseWaitsForIt() throws Exception {
        WebSocketServer server = echo(ServerOptions.builder().largeMessageThreshold(1 << 20).temporaryDirectory(dir));
        Path file = dir.resolve("upload.bin");
        GeneratedBlob content = new GeneratedBlob(20_000_000, 7);
        try (var out = Files.newOutputStream(file); var in = content.stream()) {
            in.transferTo(out);
        }
        TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/", WebSocketOptions.defaults());
        c.ws.binaryType(BinaryType.BLOB);
        assertThat(c.next().type()).isEqualTo("open");
        Blob blob = Blob.of(file, "application/octet-stream");
        assertThat(blob.size()).isEqualTo(20_000_000);
        assertThat(blob.type()).isEqualTo("application/octet-stream");
        c.ws.send(blob);
        assertThat(c.ws.bufferedAmount()).isPositive();
        Blob echoed = (Blob) ((MessageEvent) c.next()).data();
        assertThat(GeneratedBlob.sha256(echoed)).isEqualTo(content.sha256());

        // A blob queued right before close() still goes out first.
        TlsTest.Client d = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/", WebSocketOptions.defaults());
        assertThat(d.next().type()).isEqualTo("open");
        d.ws.send(blob);
        d.ws.close(4000, "after the blob");
        CloseEvent close = d.awaitClose();
        assertThat(close.wasClean()).isTrue();
        assertThat(close.code()).isEqualTo(4000);
        assertThat(Files.exists(file)).as("an application's file is never deleted").isTrue();
    }
}
