package dev.duplex.cluster;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvelopeTest {
    @Test
    void roundTripKeepsEveryField() {
        byte[] payload = "héllo".getBytes(StandardCharsets.UTF_8);
        Envelope e = Envelope.decode(new Envelope(false, "node-1~abc", 42, 7, payload).encode(), 100);
        assertThat(e.binary()).isFalse();
        assertThat(e.origin()).isEqualTo("node-1~abc");
        assertThat(e.sequence()).isEqualTo(42);
        assertThat(e.target()).isEqualTo(7);
        assertThat(e.text()).isEqualTo("héllo");
        assertThat(Envelope.decode(new Envelope(true, "n", 1, Envelope.NO_TARGET, new byte[0]).encode(), 0).payload()).isEmpty();
    }

    @Test
    void anythingElseOnTheChannelIsRejectedWithTheReason() {
        byte[] good = new Envelope(true, "n", 1, -1, new byte[10]).encode();
        assertThatThrownBy(() -> Envelope.decode("hi".getBytes(StandardCharsets.US_ASCII), 100))
                .hasMessageContaining("shorter than any envelope");
        byte[] version = good.clone();
        version[0] = 9;
        assertThatThrownBy(() -> Envelope.decode(version, 100)).hasMessageContaining("version 9");
        byte[] kind = good.clone();
        kind[1] = 5;
        assertThatThrownBy(() -> Envelope.decode(kind, 100)).hasMessageContaining("kind 5");
        assertThatThrownBy(() -> Envelope.decode(Arrays.copyOf(good, 10), 100)).hasMessageContaining("truncated");
        assertThatThrownBy(() -> Envelope.decode(new Envelope(true, "n", 0, -1, new byte[0]).encode(), 100))
                .hasMessageContaining("sequence number 0");
        assertThatThrownBy(() -> Envelope.decode(good, 9)).hasMessageContaining("over the limit of 9 (ClusterOptions.maxMessageSize)");
    }

    @Test
    void invalidUtf8IsNoText() {
        Envelope e = new Envelope(false, "n", 1, -1, new byte[] {(byte) 0xc3, 0x28});
        assertThat(e.text()).isNull();
    }
}
