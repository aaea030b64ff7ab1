package dev.duplex.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.Blob;
import dev.duplex.StreamOptions;
import dev.duplex.WebSocketOptions;
import dev.duplex.WebSocketStream;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link WebSocketStream} against a Node {@code ws} server (the agent of {@code peer.js}, which
 * echoes every data message and acknowledges it with its SHA-256): messages streamed out through
 * the writer's {@code asSubscriber()} from a publisher, and read back one at a time through the
 * readable side; a large message pushed by the server arrives as a file-backed blob; cancelling
 * the subscription closes with the configured code, which the Node server reports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeWsStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private Peer plain;
    private Peer deflating;

    @BeforeAll
    void startPeers() throws IOException {
        plain = Peer.node("ws-server-stream-plain", "peer.js", "server", "--deflate", "off");
        deflating = Peer.node("ws-server-stream-deflate", "peer.js", "server", "--deflate", "on");
    }

    @AfterAll
    void stopPeers() {
        if (plain != null) {
            plain.close();
        }
        if (deflating != null) {
            deflating.close();
        }
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void streamsMessagesToAndFromNodeWs(boolean deflate) throws Exception {
        Peer peer = deflate ? deflating : plain;
        String path = "/stream-" + (deflate ? "deflate" : "plain");
        WebSocketOptions options = WebSocketOptions.builder().perMessageDeflate(deflate).maxMessageSize(64L << 20).build();
        StreamOptions limits = StreamOptions.builder().highWaterMark(256 << 10).cancelCode(4002).cancelReason("read enough")
                .build();
        WebSocketStream stream = WebSocketStream.connect("ws://127.0.0.1:" + peer.port() + path, List.of(), options, limits);
        try {
            WebSocketStream.OpenInfo open = stream.opened().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(open.extensions()).isEqualTo(deflate ? "permessage-deflate" : "");
            peer.awaitEvent(path, "open", WAIT);

            // Out: 200 messages, text and binary of many sizes, through the publisher adapter.
            int count = 200;
            List<Object> messages = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int size = 1 + (i * 7919) % (128 << 10);
                messages.add(i % 3 == 0 ? Payloads.text(size) : Payloads.binary(size));
            }
            ListPublisher out = new ListPublisher(messages);
            out.subscribe(open.writable().asSubscriber());

            // In: each echo and its acknowledgement, one message requested at a time.
            OneAtATime in = new OneAtATime();
            open.readable().subscribe(in);
            for (int i = 0; i < count; i++) {
                Object sent = messages.get(i);
                Object echo = in.next();
                assertThat(Payloads.kind(echo)).as("echo " + i).isEqualTo(Payloads.kind(sent));
                assertThat(Payloads.sha256(Payloads.bytes(echo))).as("echo " + i).isEqualTo(Payloads.sha256(bytesOf(sent)));
                Map<String, Object> ack = Json.object((String) in.next());
                assertThat(ack.get("sha256")).as("ack " + i).isEqualTo(Payloads.sha256(bytesOf(sent)));
            }
            assertThat(out.maxOutstanding.get()).as("the writer requests one message at a time").isEqualTo(1);

            // A message over the 16 MiB largeMessageThreshold arrives as a file-backed blob.
            // Its write stage completes (with deflate, once the compressed frame is written).
            open.writable().write("!send " + Json.write(Map.of("type", "binary", "size", 20 << 20)))
                    .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(open.writable().queuedBytes()).isZero();
            Object big = in.next();
            assertThat(big).isInstanceOf(Blob.class);
            Map<String, Object> sentByNode = Json.object((String) in.next());
            try (Blob blob = (Blob) big) {
                assertThat(blob.size()).isEqualTo(20 << 20);
                assertThat(Payloads.sha256(blob.bytes())).isEqualTo(sentByNode.get("sha256"));
            }

            in.subscription.cancel();
            Map<String, Object> close = peer.awaitEvent(path, "close", WAIT);
            assertThat(((Number) close.get("code")).intValue()).isEqualTo(4002);
            assertThat(close.get("reason")).isEqualTo("read enough");
            WebSocketStream.CloseInfo closed = stream.closed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(closed.closeCode()).isEqualTo(4002);
        } finally {
            stream.close();
        }
    }

    private static byte[] bytesOf(Object message) {
        return message instanceof byte[] b ? b : Payloads.bytes(message);
    }

    /** Publishes the messages of a list as they are requested, recording the largest outstanding demand. */
    private static final class ListPublisher implements Flow.Publisher<Object> {
        final List<Object> messages;
        final AtomicLong maxOutstanding = new AtomicLong();

        ListPublisher(List<Object> messages) {
            this.messages = messages;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super Object> s) {
            AtomicLong demand = new AtomicLong();
            AtomicInteger next = new AtomicInteger();
            AtomicInteger wip = new AtomicInteger();
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    maxOutstanding.accumulateAndGet(demand.addAndGet(n), Math::max);
                    if (wip.getAndIncrement() != 0) {
                        return;
                    }
                    do {
                        while (demand.get() > 0 && next.get() < messages.size()) {
                            demand.decrementAndGet();
                            s.onNext(messages.get(next.getAndIncrement()));
                        }
                    } while (wip.decrementAndGet() != 0);
                }

                @Override
                public void cancel() {
                    next.set(messages.size());
                }
            });
        }
    }

    /** A subscriber that requests the next message only when the test takes one. */
    private static final class OneAtATime implements Flow.Subscriber<Object> {
        final LinkedBlockingQueue<Object> items = new LinkedBlockingQueue<>();
        final java.util.concurrent.CompletableFuture<Flow.Subscription> subscribed = new java.util.concurrent.CompletableFuture<>();
        volatile Flow.Subscription subscription;

        Object next() throws Exception {
            subscribed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).request(1);
            Object item = items.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(item).as("a message within " + WAIT).isNotNull();
            return item;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            subscribed.complete(s);
        }

        @Override
        public void onNext(Object item) {
            items.add(item);
        }

        @Override
        public void onError(Throwable e) {
            items.add("onError: " + e);
        }

        @Override
        public void onComplete() {
            items.add("onComplete");
        }
    }
}
