package dev.duplex.bench.soak;

import dev.duplex.BinaryType;
import dev.duplex.CloseEvent;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One client round trip (a text and a binary message, then a 1000 close) before the baseline
 * sample, on the path {@value #PATH} that the server does not count. The first connection loads
 * Duplex's classes and opens the jars they come from; without it those descriptors and that
 * heap would look like growth when the run is compared with its baseline.
 */
final class WarmUp {
    static final String PATH = "/warmup";

    private WarmUp() {}

    static void roundTrip(String host, int port, boolean deflate) throws IOException, InterruptedException {
        CountDownLatch echoes = new CountDownLatch(2);
        CountDownLatch closed = new CountDownLatch(1);
        WebSocket ws = new WebSocket("ws://" + host + ":" + port + PATH, List.of(),
                WebSocketOptions.builder().perMessageDeflate(deflate).build());
        ws.binaryType(BinaryType.ARRAYBUFFER);
        SplittableRandom random = new SplittableRandom(1);
        ws.onopen(e -> {
            ws.send(SoakMessage.text(0, 0, 1000, random));
            ws.send(SoakMessage.binary(0, 1, 1000, random));
        });
        ws.onmessage(e -> {
            if (((MessageEvent) e).data() != null) {
                echoes.countDown();
            }
        });
        ws.onclose(e -> {
            if (((CloseEvent) e).code() != 1000) {
                System.err.println("soak: warm-up connection closed with " + e);
            }
            closed.countDown();
        });
        if (!echoes.await(15, TimeUnit.SECONDS)) {
            ws.close();
            throw new IOException("the warm-up round trip to " + ws.url() + " got no echo within 15 s");
        }
        ws.close(1000, "warm-up done");
        if (!closed.await(15, TimeUnit.SECONDS)) {
            throw new IOException("the warm-up connection did not close within 15 s");
        }
    }

    /** Descriptor kinds now more numerous than in {@code baseline}, as "kind:+n" items. */
    static String newDescriptors(Map<String, Integer> baseline, Map<String, Integer> now) {
        StringBuilder sb = new StringBuilder();
        now.forEach((kind, n) -> {
            int extra = n - baseline.getOrDefault(kind, 0);
            if (extra > 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(kind.replace(' ', '_').replace('=', ':')).append(":+").append(extra);
            }
        });
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
