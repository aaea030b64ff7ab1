package dev.duplex.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link CloseHandshake}'s transitions (RFC 6455 section 7), one path per test. */
class CloseHandshakeTest {

    @Test
    void weCloseFirstThenThePeerAnswers() {
        CloseHandshake h = new CloseHandshake();
        assertThat(h.isOpen()).isTrue();
        h.closeFrameSent();
        assertThat(h.closeSent()).isTrue();
        assertThat(h.finished()).as("the peer's answer is still to be read").isFalse();
        assertThat(h.streamsMayContinue()).isTrue();
        assertThat(h.peerClosed()).as("no echo: ours went out").isFalse();
        assertThat(h.isClosed()).isTrue();
        assertThat(h.finished()).isTrue();
    }

    @Test
    void thePeerClosesFirstAndIsEchoed() {
        CloseHandshake h = new CloseHandshake();
        assertThat(h.peerClosed()).as("echo").isTrue();
        assertThat(h.isClosed()).isTrue();
        assertThat(h.closeSent()).isTrue();
        assertThat(h.streamsMayContinue()).isFalse();
    }

    @Test
    void aFailureSendsACloseFrameOnlyIfNoneWasSent() {
        CloseHandshake open = new CloseHandshake();
        assertThat(open.mayFail(false)).isTrue();
        assertThat(open.fail()).isTrue();
        assertThat(open.failed()).isTrue();
        assertThat(open.mayFail(true)).as("not twice").isFalse();

        CloseHandshake closing = new CloseHandshake();
        closing.closeFrameSent();
        assertThat(closing.fail()).isFalse();
    }

    @Test
    void afterThePeersCloseOnlyItsOwnViolationFails() {
        CloseHandshake h = new CloseHandshake();
        h.peerClosed();
        assertThat(h.mayFail(false)).as("a limit of ours, after the exchange").isFalse();
        assertThat(h.mayFail(true)).as("data after its close frame").isTrue();
    }

    @Test
    void releaseFailsAnUnfinishedHandshakeAndKeepsAFinishedOne() {
        CloseHandshake open = new CloseHandshake();
        open.release();
        assertThat(open.failed()).isTrue();

        CloseHandshake sent = new CloseHandshake();
        sent.closeFrameSent();
        sent.release();
        assertThat(sent.failed()).isTrue();

        CloseHandshake done = new CloseHandshake();
        done.peerClosed();
        done.release();
        assertThat(done.isClosed()).isTrue();
    }
}
