package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class EventsTest {

    @Test
    void eventHasTypeAndCreationTime() {
        long before = System.currentTimeMillis();
        Event event = new Event("open");
        long after = System.currentTimeMillis();

        assertThat(event.type()).isEqualTo("open");
        assertThat(event.target()).isNull();
        assertThat(event.timeStamp()).isBetween(before, after);
        assertThat(event.toString()).isEqualTo("Event[type=open]");
        assertThatThrownBy(() -> new Event(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void messageEvent() {
        MessageEvent text = new MessageEvent("message", "hello", "ws://localhost:8080");
        assertThat(text.type()).isEqualTo("message");
        assertThat(text.data()).isEqualTo("hello");
        assertThat(text.origin()).isEqualTo("ws://localhost:8080");
        assertThat(text.lastEventId()).isEmpty();
        assertThat(text).isInstanceOf(Event.class);
        assertThat(text.toString()).contains("\"hello\"").contains("ws://localhost:8080");

        MessageEvent noOrigin = new MessageEvent("message", null, null);
        assertThat(noOrigin.origin()).isEmpty();
        assertThat(noOrigin.data()).isNull();
    }

    @Test
    void messageEventToStringShortensLongTextAndSummarizesBinary() {
        String longText = "x".repeat(10_000);
        assertThat(new MessageEvent("message", longText, "").toString()).hasSizeLessThan(200).contains("10000 chars");
        assertThat(new MessageEvent("message", ByteBuffer.allocate(42), "").toString()).contains("42 bytes");
        assertThat(new MessageEvent("message", Blob.of(new byte[7]), "").toString()).contains("size=7");
    }

    @Test
    void closeEvent() {
        CloseEvent event = new CloseEvent("close", 1000, "bye", true);
        assertThat(event.code()).isEqualTo(1000);
        assertThat(event.reason()).isEqualTo("bye");
        assertThat(event.wasClean()).isTrue();
        assertThat(event.toString()).contains("1000").contains("bye").contains("wasClean=true");

        CloseEvent abnormal = new CloseEvent("close", 1006, null, false);
        assertThat(abnormal.reason()).isEmpty();
        assertThat(abnormal.wasClean()).isFalse();
    }

    @Test
    void errorEvent() {
        IOException cause = new IOException("Connection refused");
        ErrorEvent event = new ErrorEvent("error", "Connection refused", cause);
        assertThat(event.message()).isEqualTo("Connection refused");
        assertThat(event.error()).isSameAs(cause);
        assertThat(event.toString()).contains("Connection refused");

        ErrorEvent bare = new ErrorEvent("error", null, null);
        assertThat(bare.message()).isEmpty();
        assertThat(bare.error()).isNull();
    }

    @Test
    void binaryTypeValues() {
        assertThat(BinaryType.values()).containsExactly(BinaryType.BLOB, BinaryType.ARRAYBUFFER);
        assertThat(BinaryType.valueOf("ARRAYBUFFER")).isSameAs(BinaryType.ARRAYBUFFER);
    }
}
