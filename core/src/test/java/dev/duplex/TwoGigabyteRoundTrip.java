package dev.duplex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A 2,000,000,000-byte binary message from a Duplex client to a Duplex server and back, in one
 * JVM meant to run with {@code -Xmx512m}: the sender streams the blob from its source, each
 * receiver spills it to a temporary file, and the server echoes the file-backed blob. Exits 0
 * when the SHA-256 of what came back equals that of what was sent. Run by
 * {@link TwoGigabyteRoundTripTest}; arguments: size, temporary directory.
 */
public final class TwoGigabyteRoundTrip {
    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args[0]);
        Path tmp = Path.of(args[1]);
        long limit = size + (1L << 20);
        long start = System.nanoTime();

        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .maxMessageSize(limit).maxBufferedAmount(limit).maxTemporaryFileBytes(limit).temporaryDirectory(tmp).build());
        server.onconnection(e -> {
            WebSocket ws = e.socket();
            ws.onmessage(m -> ws.send((Blob) ((MessageEvent) m).data()));
        });
        server.start();

        GeneratedBlob sent = new GeneratedBlob(size, 2026);
        CompletableFuture<Blob> echoed = new CompletableFuture<>();
        WebSocket client = new WebSocket("ws://127.0.0.1:" + server.port() + "/", java.util.List.of(),
                WebSocketOptions.builder().maxMessageSize(limit).maxBufferedAmount(limit).temporaryDirectory(tmp).build());
        client.onopen(e -> client.send(sent));
        client.onmessage(e -> echoed.complete((Blob) ((MessageEvent) e).data()));
        client.onerror(e -> echoed.completeExceptionally(((ErrorEvent) e).error()));
        client.onclose(e -> echoed.completeExceptionally(new IllegalStateException("closed: " + ((CloseEvent) e).code())));

        Blob got = echoed.get(20, TimeUnit.MINUTES);
        long transferred = System.nanoTime() - start;
        byte[] expected = sent.sha256();
        byte[] actual = GeneratedBlob.sha256(got);
        long maxHeap = Runtime.getRuntime().maxMemory();
        System.out.println("size=" + got.size() + " seconds=" + TimeUnit.NANOSECONDS.toSeconds(transferred)
                + " maxHeapMiB=" + (maxHeap >> 20) + " sha256=" + HexFormat.of().formatHex(actual)
                + " tempFilesDuring=" + countTemp(tmp));
        client.close();
        server.close();
        if (got.size() != size || !Arrays.equals(expected, actual)) {
            System.out.println("MISMATCH expected " + HexFormat.of().formatHex(expected));
            System.exit(1);
        }
        System.exit(0);
    }

    private static long countTemp(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }
}
