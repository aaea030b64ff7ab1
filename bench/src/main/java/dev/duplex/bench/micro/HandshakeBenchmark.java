package dev.duplex.bench.micro;

import dev.duplex.internal.protocol.ClientHandshake;
import dev.duplex.internal.protocol.CodecResources;
import dev.duplex.internal.protocol.HandshakeException;
import dev.duplex.internal.protocol.HandshakeResponse;
import dev.duplex.internal.protocol.HttpHead;
import dev.duplex.internal.protocol.HttpHeadParser;
import dev.duplex.internal.protocol.PerMessageDeflate;
import dev.duplex.internal.protocol.ServerHandshake;
import dev.duplex.internal.protocol.UpgradeRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The opening handshake (RFC 6455 §4) on each side, as the sessions run it, without I/O.
 * One operation = one handshake.
 *
 * <ul>
 *   <li>{@code serverAcceptsBrowserRequest}: a fresh request parser (one per connection) reads
 *       the upgrade request a desktop Chrome sends (about 600 bytes, with cookies and a
 *       permessage-deflate offer), {@link ServerHandshake#validate} checks it,
 *       {@link PerMessageDeflate#accept} negotiates compression and
 *       {@link ServerHandshake#accept} builds the 101 answer (SHA-1 of the key included).</li>
 *   <li>{@code serverParsesRequestHead}: only the HTTP head parsing of that request.</li>
 *   <li>{@code clientValidatesResponse}: a fresh response parser reads the server's 101, and
 *       {@link ClientHandshake#validate} and {@link PerMessageDeflate#validateResponse} check
 *       it.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HandshakeBenchmark {
    private static final String KEY = "x3JJHMbDL1EzLkh9GBhXDw==";

    // What a desktop Chrome sends to a page's WebSocket endpoint (the ServerOptions limits below
    // are the server's defaults).
    private static final String BROWSER_REQUEST = String.join("\r\n",
            "GET /chat?room=lobby HTTP/1.1",
            "Host: app.example.com",
            "Connection: Upgrade",
            "Pragma: no-cache",
            "Cache-Control: no-cache",
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                    + "Chrome/126.0.0.0 Safari/537.36",
            "Upgrade: websocket",
            "Origin: https://app.example.com",
            "Sec-WebSocket-Version: 13",
            "Accept-Encoding: gzip, deflate, br, zstd",
            "Accept-Language: en-GB,en-US;q=0.9,en;q=0.8",
            "Cookie: session=5f2b9c0e7a4d4e1b8c3f; theme=dark; _ga=GA1.1.1234567890.1718000000",
            "Sec-WebSocket-Key: " + KEY,
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
            "", "");

    private static final String SERVER_RESPONSE = String.join("\r\n",
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Accept: " + ClientHandshake.acceptFor(KEY),
            "Sec-WebSocket-Extensions: permessage-deflate",
            "", "");

    private final ByteBuffer request = ByteBuffer.wrap(BROWSER_REQUEST.getBytes(StandardCharsets.ISO_8859_1));
    private final ByteBuffer response = ByteBuffer.wrap(SERVER_RESPONSE.getBytes(StandardCharsets.ISO_8859_1));
    private final PerMessageDeflate.Config deflateConfig = PerMessageDeflate.Config.DEFAULT;
    // The event loop's SHA-1, reused from one handshake to the next, as the sessions use it.
    private final MessageDigest sha1 = CodecResources.create().sha1();
    private final ClientHandshake client = new ClientHandshake("app.example.com", "/chat?room=lobby",
            List.of(), PerMessageDeflate.offer(deflateConfig), "https://app.example.com", Map.of(), KEY);

    @Benchmark
    public ByteBuffer serverAcceptsBrowserRequest() throws HandshakeException {
        UpgradeRequest upgrade = ServerHandshake.validate(parseRequest());
        PerMessageDeflate.Agreement agreement = PerMessageDeflate.accept(upgrade.extensionsOffer(), deflateConfig);
        return ServerHandshake.accept(upgrade.key(), null, agreement == null ? null : agreement.response(), null, sha1);
    }

    @Benchmark
    public HttpHead serverParsesRequestHead() throws HandshakeException {
        return parseRequest();
    }

    @Benchmark
    public PerMessageDeflate.Params clientValidatesResponse() throws HandshakeException {
        response.rewind();
        HttpHead head = HttpHeadParser.forResponses(8192, 64 * 1024, 256).feed(response);
        HandshakeResponse accepted = client.validate(head, sha1);
        return PerMessageDeflate.validateResponse(accepted.extensions(), deflateConfig);
    }

    private HttpHead parseRequest() throws HandshakeException {
        request.rewind();
        HttpHead head = HttpHeadParser.forRequests(8192, 16384, 100).feed(request);
        if (head == null) {
            throw new IllegalStateException("Incomplete request head");
        }
        return head;
    }
}
