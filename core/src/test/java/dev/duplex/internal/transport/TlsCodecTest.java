package dev.duplex.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.TestCertificates;
import dev.duplex.Tls;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TlsCodec} between two engines in memory, a client's and a server's, with the ciphertext
 * of one side's {@link TlsCodec#netOut()} handed to the other's {@link TlsCodec#unwrap}: the
 * handshake completes, plaintext arrives byte for byte however the ciphertext is cut, partial
 * records are counted, close_notify closes the peer's inbound side, and a TLS 1.2 client's
 * renegotiation fails the server while TLS 1.3's KeyUpdate does not.
 */
class TlsCodecTest {
    private static final ByteBuffer[] NONE = {};
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    @TempDir
    static Path dir;
    static SSLContext serverContext;
    static SSLContext clientContext;

    @BeforeAll
    static void selfSignedCertificate() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        serverContext = Tls.serverContext(certs.selfSignedCert, certs.selfSignedKey);
        clientContext = Tls.trusting(certs.selfSignedCert);
    }

    /** One end: its codec and the plaintext its {@code unwrap} has handed over so far. */
    private static final class End {
        final TlsCodec codec;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();

        End(SSLEngine engine) throws SSLException {
            codec = new TlsCodec(engine);
        }

        void unwrap(ByteBuffer in) throws SSLException {
            // The sink's buffer is the codec's own and is reused: copy out of it.
            codec.unwrap(in, plaintext -> {
                byte[] b = new byte[plaintext.remaining()];
                plaintext.get(b);
                received.writeBytes(b);
            });
        }

        void unwrap(byte[] in) throws SSLException {
            unwrap(ByteBuffer.wrap(in));
        }

        /** Wraps (handshake data first, then {@code srcs}) and takes the ciphertext out of netOut. */
        byte[] wrap(ByteBuffer... srcs) throws SSLException {
            assertThat(codec.netOut().hasRemaining()).as("wrap is only called with netOut empty").isFalse();
            codec.wrap(srcs, 0, srcs.length);
            return takeNetOut();
        }

        byte[] takeNetOut() {
            ByteBuffer out = codec.netOut();
            byte[] b = new byte[out.remaining()];
            out.get(b);
            return b;
        }

        String receivedText() {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    private static End client(String protocol) throws SSLException {
        SSLEngine e = clientContext.createSSLEngine("localhost", 443);
        e.setUseClientMode(true);
        e.setEnabledProtocols(new String[] {protocol});
        return new End(e);
    }

    private static End server(String protocol) throws SSLException {
        SSLEngine e = serverContext.createSSLEngine();
        e.setUseClientMode(false);
        e.setEnabledProtocols(new String[] {protocol});
        return new End(e);
    }

    /**
     * Moves ciphertext both ways until neither side has any to send, as a channel would: wrap
     * when netOut is empty, and after a wrap, unwrap what waited for it.
     */
    private static void pump(End a, End b) throws SSLException {
        for (int round = 0; round < 100; round++) {
            boolean moved = send(a, b) | send(b, a);
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("the engines never went quiet");
    }

    private static boolean send(End from, End to) throws SSLException {
        byte[] out = from.wrap(NONE);
        if (from.codec.bufferedInput() > 0) {
            from.unwrap(EMPTY);
        }
        if (out.length == 0) {
            return false;
        }
        to.unwrap(out);
        return true;
    }

    private static End[] connected(String protocol) throws SSLException {
        End client = client(protocol);
        End server = server(protocol);
        pump(client, server);
        assertThat(client.codec.handshakeDone()).isTrue();
        assertThat(server.codec.handshakeDone()).isTrue();
        return new End[] {client, server};
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void theHandshakeCompletesOnBothSidesAndLeavesNothingPending(String protocol) throws SSLException {
        End client = client(protocol);
        End server = server(protocol);
        assertThat(client.codec.handshakeDone()).isFalse();
        assertThat(server.codec.handshakeDone()).isFalse();
        assertThat(client.codec.wantsWrap()).as("the client speaks first").isTrue();
        assertThat(server.codec.wantsWrap()).as("the server waits for the ClientHello").isFalse();

        pump(client, server);

        for (End end : new End[] {client, server}) {
            assertThat(end.codec.handshakeDone()).isTrue();
            assertThat(end.codec.wantsWrap()).isFalse();
            assertThat(end.codec.bufferedInput()).isZero();
            assertThat(end.codec.netOut().hasRemaining()).isFalse();
            assertThat(end.codec.inboundClosed()).isFalse();
            assertThat(end.codec.engine().getSession().getProtocol()).isEqualTo(protocol);
        }
        assertThat(client.received.size()).as("no plaintext from a handshake").isZero();
        assertThat(server.received.size()).isZero();
    }

    @Test
    void wantsWrapIsTrueExactlyWhileTheEngineHasHandshakeBytesToSend() throws SSLException {
        End client = client("TLSv1.3");
        End server = server("TLSv1.3");
        assertThat(client.codec.wantsWrap()).isTrue();
        byte[] clientHello = client.wrap(NONE);
        assertThat(clientHello).isNotEmpty();
        assertThat(client.codec.wantsWrap()).as("the ClientHello is out: waiting for the server").isFalse();
        assertThat(client.wrap(NONE)).as("nothing to send, nothing wrapped").isEmpty();

        server.unwrap(clientHello);
        assertThat(server.codec.wantsWrap()).as("the server has its flight to send").isTrue();
        byte[] serverFlight = server.wrap(NONE);
        assertThat(serverFlight).isNotEmpty();
        assertThat(server.codec.wantsWrap()).as("the whole flight fits in netOut").isFalse();

        client.unwrap(serverFlight);
        assertThat(client.codec.wantsWrap()).as("the client owes its Finished").isTrue();
        pump(client, server);
        assertThat(client.codec.wantsWrap()).isFalse();
        assertThat(server.codec.wantsWrap()).isFalse();

        // A TLS 1.3 engine asked for a new handshake sends a KeyUpdate.
        client.codec.engine().beginHandshake();
        assertThat(client.codec.wantsWrap()).isTrue();
        assertThat(client.wrap(NONE)).isNotEmpty();
        assertThat(client.codec.wantsWrap()).isFalse();
    }

    @Test
    void plaintextOfferedBeforeTheHandshakeEndsIsNotConsumed() throws SSLException {
        End client = client("TLSv1.3");
        End server = server("TLSv1.3");
        ByteBuffer early = text("early");
        byte[] clientHello = client.wrap(early);
        assertThat(clientHello).as("the handshake goes out").isNotEmpty();
        assertThat(early.remaining()).as("the plaintext waits for the handshake").isEqualTo(5);
        server.unwrap(clientHello);
        pump(client, server);
        assertThat(server.received.size()).isZero();

        server.unwrap(client.wrap(early));
        assertThat(early.hasRemaining()).isFalse();
        assertThat(server.receivedText()).isEqualTo("early");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void plaintextArrivesByteForByteInBothDirections(String protocol) throws SSLException {
        End[] ends = connected(protocol);
        End client = ends[0];
        End server = ends[1];
        ByteBuffer hello = text("Hello");
        client.codec.wrap(new ByteBuffer[] {hello}, 0, 1);
        assertThat(hello.hasRemaining()).isFalse();
        server.unwrap(client.takeNetOut());
        assertThat(server.receivedText()).isEqualTo("Hello");

        // A gathering wrap from the middle of an array, as the write queue hands it over.
        ByteBuffer[] srcs = {text("not this"), text("Wor"), text("ld"), text("nor this")};
        assertThat(server.codec.wrap(srcs, 1, 2)).isEqualTo(5);
        client.unwrap(server.takeNetOut());
        assertThat(client.receivedText()).isEqualTo("World");
        assertThat(srcs[0].remaining()).isEqualTo(8);
        assertThat(srcs[3].remaining()).isEqualTo(8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aLargeBufferGoesOutInSeveralRecordsAndArrivesWhole(String protocol) throws SSLException {
        End[] ends = connected(protocol);
        End client = ends[0];
        End server = ends[1];
        byte[] data = new byte[200_000];
        new Random(15).nextBytes(data);
        ByteBuffer src = ByteBuffer.wrap(data);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        int wraps = 0;
        while (src.hasRemaining()) {
            long consumed = client.codec.wrap(new ByteBuffer[] {src}, 0, 1);
            assertThat(consumed).as("each wrap makes progress").isPositive();
            wire.writeBytes(client.takeNetOut());
            wraps++;
        }
        assertThat(wraps).as("netOut holds two records: the buffer takes several wraps").isGreaterThan(1);
        byte[] ciphertext = wire.toByteArray();
        assertThat(applicationDataRecords(ciphertext)).as("records of at most 16 KiB")
                .isGreaterThanOrEqualTo((data.length + 16_383) / 16_384);

        // Fed in pieces that end in the middle of records.
        for (int at = 0; at < ciphertext.length; at += 7_777) {
            server.unwrap(Arrays.copyOfRange(ciphertext, at, Math.min(ciphertext.length, at + 7_777)));
        }
        assertThat(server.received.toByteArray()).isEqualTo(data);
        assertThat(server.codec.bufferedInput()).isZero();
    }

    /** Counts the TLS records of content type application_data (23) in {@code wire}. */
    private static int applicationDataRecords(byte[] wire) {
        int n = 0;
        for (int at = 0; at + 5 <= wire.length; at += 5 + ((wire[at + 3] & 0xff) << 8 | (wire[at + 4] & 0xff))) {
            if (wire[at] == 23) {
                n++;
            }
        }
        return n;
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aRecordFedOneByteAtATimeIsBufferedUntilItsLastByte(String protocol) throws SSLException {
        End[] ends = connected(protocol);
        End client = ends[0];
        End server = ends[1];
        byte[] record = client.wrap(text("Hello, TLS"));
        for (int i = 0; i < record.length - 1; i++) {
            ByteBuffer one = ByteBuffer.wrap(record, i, 1);
            server.unwrap(one);
            assertThat(one.hasRemaining()).as("the input is always consumed").isFalse();
            assertThat(server.codec.bufferedInput()).as("after %d bytes", i + 1).isEqualTo(i + 1);
            assertThat(server.received.size()).isZero();
        }
        server.unwrap(ByteBuffer.wrap(record, record.length - 1, 1));
        assertThat(server.receivedText()).isEqualTo("Hello, TLS");
        assertThat(server.codec.bufferedInput()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void everyCutOfTwoRecordsGivesTheSamePlaintextAndBuffersOnlyThePartialRecord(String protocol) throws SSLException {
        End[] ends = connected(protocol);
        End client = ends[0];
        End server = ends[1];
        for (int cut = 0; ; cut++) {
            byte[] first = client.wrap(text("first"));
            byte[] second = client.wrap(text("second"));
            byte[] both = new byte[first.length + second.length];
            System.arraycopy(first, 0, both, 0, first.length);
            System.arraycopy(second, 0, both, first.length, second.length);
            if (cut > both.length) {
                break;
            }
            server.received.reset();
            server.unwrap(Arrays.copyOfRange(both, 0, cut));
            int partial = cut < first.length ? cut : cut - first.length;
            assertThat(server.codec.bufferedInput()).as("cut at %d", cut).isEqualTo(cut == both.length ? 0 : partial);
            assertThat(server.receivedText()).as("cut at %d", cut)
                    .isEqualTo(cut == both.length ? "firstsecond" : cut >= first.length ? "first" : "");
            server.unwrap(Arrays.copyOfRange(both, cut, both.length));
            assertThat(server.receivedText()).as("cut at %d", cut).isEqualTo("firstsecond");
            assertThat(server.codec.bufferedInput()).isZero();
        }
    }

    @Test
    void recordsBehindAHandshakeMessageWaitUntilTheEngineHasSentItsOwn() throws SSLException {
        // A TLS 1.3 client answers the ServerHello with a change_cipher_spec (RFC 8446 appendix
        // D.4) before it reads the rest of the server's flight.
        End client = client("TLSv1.3");
        End server = server("TLSv1.3");
        server.unwrap(client.wrap(NONE));
        byte[] serverFlight = server.wrap(NONE);
        client.unwrap(serverFlight);
        assertThat(client.codec.wantsWrap()).isTrue();
        assertThat(client.codec.bufferedInput()).as("all but the ServerHello's record")
                .isEqualTo(serverFlight.length - firstRecordLength(serverFlight));
        byte[] changeCipherSpec = client.wrap(NONE);
        assertThat(changeCipherSpec).isNotEmpty();
        client.unwrap(EMPTY);
        assertThat(client.codec.bufferedInput()).isZero();
        assertThat(client.codec.wantsWrap()).as("now the client's Finished").isTrue();

        // The Finished and the first data go out in one wrap.
        ByteBuffer first = text("first data");
        byte[] finishedAndData = client.wrap(first);
        assertThat(client.codec.handshakeDone()).isTrue();
        assertThat(first.hasRemaining()).as("the data follows the Finished").isFalse();
        server.unwrap(changeCipherSpec);
        server.unwrap(finishedAndData);
        pump(client, server);
        assertThat(server.receivedText()).isEqualTo("first data");
        assertThat(server.codec.handshakeDone()).isTrue();
        assertThat(server.codec.bufferedInput()).isZero();
    }

    private static int firstRecordLength(byte[] wire) {
        return 5 + ((wire[3] & 0xff) << 8 | (wire[4] & 0xff));
    }

    @Test
    void aPartialRecordIsCopiedSoTheCallerMayReuseItsBuffer() throws SSLException {
        // The loop reads every channel into one shared buffer, overwritten by the next read.
        End[] ends = connected("TLSv1.3");
        End client = ends[0];
        End server = ends[1];
        byte[] record = client.wrap(text("kept apart"));
        ByteBuffer shared = ByteBuffer.allocate(record.length);
        shared.put(record, 0, 10).flip();
        server.unwrap(shared);
        shared.clear();
        shared.put(new byte[record.length]).clear();          // the next read overwrites it
        shared.put(record, 10, record.length - 10).flip();
        server.unwrap(shared);
        assertThat(server.receivedText()).isEqualTo("kept apart");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void closeOutboundSendsCloseNotifyAndThePeersInboundCloses(String protocol) throws SSLException {
        End[] ends = connected(protocol);
        End client = ends[0];
        End server = ends[1];
        byte[] bye = client.wrap(text("bye"));
        client.codec.closeOutbound();
        byte[] closeNotify = client.takeNetOut();
        assertThat(closeNotify).isNotEmpty();
        assertThat(server.codec.inboundClosed()).isFalse();

        byte[] both = Arrays.copyOf(bye, bye.length + closeNotify.length);
        System.arraycopy(closeNotify, 0, both, bye.length, closeNotify.length);
        // A TLS 1.2 server's engine then asks to wrap its own close_notify: not a renegotiation.
        server.unwrap(both);
        assertThat(server.receivedText()).as("what came before close_notify").isEqualTo("bye");
        assertThat(server.codec.inboundClosed()).isTrue();
        assertThat(client.codec.inboundClosed()).as("only the peer's inbound side").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aServersCloseNotifyClosesTheClientsInboundSide(String protocol) throws SSLException {
        End[] ends = connected(protocol);
        End client = ends[0];
        End server = ends[1];
        server.codec.closeOutbound();
        client.unwrap(server.takeNetOut());
        assertThat(client.codec.inboundClosed()).isTrue();
        assertThat(server.codec.inboundClosed()).isFalse();
    }

    @Test
    void aServerRefusesATls12ClientsRenegotiation() throws SSLException {
        End[] ends = connected("TLSv1.2");
        End client = ends[0];
        End server = ends[1];
        client.codec.engine().beginHandshake();
        byte[] clientHello = client.wrap(NONE);
        assertThat(clientHello).isNotEmpty();
        assertThatThrownBy(() -> server.unwrap(clientHello))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessage("The client asked for TLS renegotiation, which this server refuses");
    }

    @Test
    void aTls13KeyUpdateIsNotRefusedAndDataFlowsOnUnderTheNewKeys() throws SSLException {
        End[] ends = connected("TLSv1.3");
        End client = ends[0];
        End server = ends[1];
        client.codec.engine().beginHandshake();     // a KeyUpdate, requesting one back
        pump(client, server);
        server.unwrap(client.wrap(text("after")));
        client.unwrap(server.wrap(text("update")));
        assertThat(server.receivedText()).isEqualTo("after");
        assertThat(client.receivedText()).isEqualTo("update");
        assertThat(server.codec.handshakeDone()).isTrue();
    }
}
