package dev.duplex.internal.url;


import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.internal.protocol.ClientHandshake;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzz targets for what the {@code WebSocket} constructor validates.
 * <ul>
 * <li>{@link WebSocketUrl#parse}: on any string, either a URL or a {@link UrlException}
 *     {@code SyntaxError}/{@code SecurityError}, nothing else. A parsed URL serializes to visible
 *     ASCII without a fragment, parses again to itself, has a port that is not a bad port, and
 *     always makes a valid opening handshake (its Host header and resource name are accepted by
 *     {@link ClientHandshake}).</li>
 * <li>{@link WebSocketUrl#validateProtocols}: accepts exactly the lists of distinct RFC 7230
 *     tokens (checked against an independent definition), else {@code SyntaxError}.</li>
 * </ul>
 * The input is read as UTF-8 and, separately, as ISO-8859-1 (every char U+0000–U+00FF).
 * Corpus: {@code src/test/resources/dev/duplex/UrlFuzzTestInputs/{url,protocols}}.
 */
class UrlFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void url(byte[] input) {
        checkUrl(new String(input, StandardCharsets.UTF_8));
        checkUrl(new String(input, StandardCharsets.ISO_8859_1));
    }

    private static void checkUrl(String s) {
        WebSocketUrl url;
        try {
            url = WebSocketUrl.parse(s);
        } catch (UrlException e) {
            assertThat(e.domName()).as("for " + s + ": " + e.getMessage()).isIn("SyntaxError", "SecurityError");
            return;
        }
        String href = url.href();
        assertThat(href).as("href of " + s).matches("wss?://[\\x21-\\x7E]+").doesNotContain("#");
        // Port 0 parses (WHATWG URL; browsers accept it too, then fail to connect): corpus port-zero.
        assertThat(url.port()).isBetween(0, 65535);
        assertThat(WebSocketUrl.isBadPort(url.port())).as("bad port " + url.port()).isFalse();
        assertThat(url.resourceName()).startsWith("/");
        assertThat(url.host()).isNotEmpty();
        assertThat(WebSocketUrl.parse(href).href()).as("href parsed again, from " + s).isEqualTo(href);
        new ClientHandshake(url.hostHeader(), url.resourceName(), List.of(), null, null, null,
                "dGhlIHNhbXBsZSBub25jZQ==");
    }

    @FuzzTest(maxDuration = "5m")
    void protocols(byte[] input) {
        checkProtocols(new String(input, StandardCharsets.UTF_8));
        checkProtocols(new String(input, StandardCharsets.ISO_8859_1));
    }

    private static void checkProtocols(String s) {
        List<String> list = Arrays.asList(s.split(",", -1));
        boolean expected = s.isEmpty() || valid(list);
        List<String> given = s.isEmpty() ? List.of() : list;
        try {
            List<String> result = WebSocketUrl.validateProtocols(given);
            assertThat(expected).as("accepted " + given).isTrue();
            assertThat(result).isEqualTo(given);
        } catch (UrlException e) {
            assertThat(e.domName()).isEqualTo("SyntaxError");
            assertThat(expected).as("rejected " + given + ": " + e.getMessage()).isFalse();
        }
    }

    /** RFC 7230 §3.2.6: token = 1*tchar, no duplicates (case-sensitive). */
    private static boolean valid(List<String> protocols) {
        Set<String> seen = new HashSet<>();
        for (String p : protocols) {
            if (p.isEmpty() || !seen.add(p)) {
                return false;
            }
            for (char c : p.toCharArray()) {
                boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
                if (!tchar) {
                    return false;
                }
            }
        }
        return true;
    }
}
