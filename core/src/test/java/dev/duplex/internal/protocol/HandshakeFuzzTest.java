package dev.duplex.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * Fuzz targets for the opening handshake, with the limits Duplex uses by default. Whatever bytes
 * arrive:
 * <ul>
 * <li>{@link HttpHeadParser} either needs more bytes, returns a head or throws
 *     {@link HandshakeException}, and the outcome is the same whether the bytes come at once or
 *     one at a time;</li>
 * <li>server side, {@link ServerHandshake#validate} either accepts the request or throws
 *     {@code HandshakeException} with an HTTP status in 400–599 (so the server can answer it);
 *     an accepted request can always be answered ({@link ServerHandshake#accept}) and its
 *     extension offer negotiated ({@link PerMessageDeflate#accept}) without an exception;</li>
 * <li>client side, {@link ClientHandshake#validate} either accepts the response or throws
 *     {@code HandshakeException}; an accepted response's extensions are validated by
 *     {@link PerMessageDeflate#validateResponse} with no other exception.</li>
 * </ul>
 * Corpus: {@code src/test/resources/dev/duplex/internal/protocol/HandshakeFuzzTestInputs/{request,response}}.
 */
class HandshakeFuzzTest {
    /** The RFC 6455 §1.3 example key, so that seeds can carry the matching accept value. */
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    @FuzzTest(maxDuration = "5m")
    void request(byte[] input) {
        Outcome whole = parse(true, input, false);
        Outcome bytewise = parse(true, input, true);
        assertThat(bytewise).as("byte by byte vs at once").isEqualTo(whole);
        if (whole.failure != null) {
            assertThat(whole.failure.httpStatus()).as("status of " + whole.failure).isBetween(400, 599);
            return;
        }
        if (whole.head == null) {
            return;
        }
        UpgradeRequest request;
        try {
            request = ServerHandshake.validate(whole.head);
        } catch (HandshakeException e) {
            assertThat(e.httpStatus()).as("status of " + e).isBetween(400, 599);
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        Objects.requireNonNull(request.key());
        Objects.requireNonNull(request.path());
        Objects.requireNonNull(request.query());
        List<String> protocols = request.protocols();
        for (String p : protocols) {
            assertThat(Http.isToken(p)).as("offered protocol " + p).isTrue();
        }
        PerMessageDeflate.Agreement agreement = PerMessageDeflate.accept(request.extensionsOffer(),
                PerMessageDeflate.Config.DEFAULT);
        ServerHandshake.accept(request.key(), protocols.isEmpty() ? null : protocols.get(0),
                agreement == null ? null : agreement.response(), null);
    }

    @FuzzTest(maxDuration = "5m")
    void response(byte[] input) {
        Outcome whole = parse(false, input, false);
        Outcome bytewise = parse(false, input, true);
        assertThat(bytewise).as("byte by byte vs at once").isEqualTo(whole);
        if (whole.head == null) {
            return;
        }
        ClientHandshake client = new ClientHandshake("example.com", "/chat", List.of("chat", "superchat"),
                PerMessageDeflate.offer(PerMessageDeflate.Config.DEFAULT), null, null, KEY);
        HandshakeResponse response;
        try {
            response = client.validate(whole.head);
        } catch (HandshakeException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(response.protocol()).isIn("", "chat", "superchat");
        if (!response.extensions().isEmpty()) {
            try {
                PerMessageDeflate.validateResponse(response.extensions(), PerMessageDeflate.Config.DEFAULT);
            } catch (HandshakeException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    /** What the parser made of the input: a head (as text), a failure, or neither (incomplete). */
    record Outcome(HttpHead head, String headText, HandshakeException failure, String failureText,
                   long consumed) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Outcome other && Objects.equals(headText, other.headText)
                    && Objects.equals(failureText, other.failureText)
                    && (failure != null || consumed == other.consumed);
        }

        @Override
        public int hashCode() {
            return Objects.hash(headText, failureText);
        }
    }

    static Outcome parse(boolean requests, byte[] input, boolean bytewise) {
        HttpHeadParser parser = requests ? HttpHeadParser.forRequests(8192, 16384, 100)
                : HttpHeadParser.forResponses(8192, 16384, 100);
        ByteBuffer in = ByteBuffer.wrap(input);
        try {
            HttpHead head = null;
            if (!bytewise) {
                head = parser.feed(in);
            } else {
                for (int i = 0; i < input.length && head == null; i++) {
                    ByteBuffer one = ByteBuffer.wrap(input, i, 1);
                    head = parser.feed(one);
                }
            }
            if (head != null) {
                assertThat(parser.isComplete()).isTrue();
                assertThat(head.isRequest()).isEqualTo(requests);
                String text = head.startLine() + "|" + head.headers();
                return new Outcome(head, text, null, null, parser.bytesConsumed());
            }
            assertThat(parser.bytesConsumed()).as("an incomplete head consumes everything").isEqualTo(input.length);
            return new Outcome(null, null, null, null, parser.bytesConsumed());
        } catch (HandshakeException e) {
            if (!requests) {
                assertThat(e.httpStatus()).as("client-side failures carry no status").isZero();
            }
            return new Outcome(null, null, e, e.httpStatus() + " " + e.getMessage(), 0);
        }
    }
}
