package dev.duplex.internal.url;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class WebSocketUrlTest {

    /** The Fetch standard's bad ports, written out independently of the implementation. */
    static final int[] BAD_PORTS = {
        1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109,
        110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530,
        531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045,
        4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
    };

    // input, href, origin, hostHeader, resourceName, host (for connecting), port, secure
    static Stream<Arguments> goodUrls() {
        return Stream.of(
            row("ws://localhost:8080/chat?x=1", "ws://localhost:8080/chat?x=1", "ws://localhost:8080",
                    "localhost:8080", "/chat?x=1", "localhost", 8080, false),
            row("ws://example.com", "ws://example.com/", "ws://example.com", "example.com", "/", "example.com", 80, false),
            row("wss://example.com", "wss://example.com/", "wss://example.com", "example.com", "/", "example.com", 443, true),
            row("WS://EXAMPLE.com:80/", "ws://example.com/", "ws://example.com", "example.com", "/", "example.com", 80, false),
            row("wss://H.Example.COM:8443/Chat?Room=A", "wss://h.example.com:8443/Chat?Room=A",
                    "wss://h.example.com:8443", "h.example.com:8443", "/Chat?Room=A", "h.example.com", 8443, true),
            row("wss://h:443/", "wss://h/", "wss://h", "h", "/", "h", 443, true),
            row("ws://h:443/", "ws://h:443/", "ws://h:443", "h:443", "/", "h", 443, false),
            row("wss://h:80/", "wss://h:80/", "wss://h:80", "h:80", "/", "h", 80, true),
            row("ws://h:0080", "ws://h/", "ws://h", "h", "/", "h", 80, false),
            row("ws://h:/", "ws://h/", "ws://h", "h", "/", "h", 80, false),
            row("ws://h:0/", "ws://h:0/", "ws://h:0", "h:0", "/", "h", 0, false),
            row("ws://h:65535/", "ws://h:65535/", "ws://h:65535", "h:65535", "/", "h", 65535, false),
            // http and https mean ws and wss
            row("http://h:8080/x", "ws://h:8080/x", "ws://h:8080", "h:8080", "/x", "h", 8080, false),
            row("HTTPS://h/x", "wss://h/x", "wss://h", "h", "/x", "h", 443, true),
            row("http://h:443", "ws://h:443/", "ws://h:443", "h:443", "/", "h", 443, false),
            row("https://h:80/", "wss://h:80/", "wss://h:80", "h:80", "/", "h", 80, true),
            // slashes after the scheme are optional and may be backslashes
            row("ws:example.com", "ws://example.com/", "ws://example.com", "example.com", "/", "example.com", 80, false),
            row("ws:/example.com", "ws://example.com/", "ws://example.com", "example.com", "/", "example.com", 80, false),
            row("ws:\\\\example.com\\a\\b", "ws://example.com/a/b", "ws://example.com", "example.com", "/a/b",
                    "example.com", 80, false),
            row("ws:////x/y", "ws://x/y", "ws://x", "x", "/y", "x", 80, false),
            // whitespace
            row("  ws://h/ \u0000\u001f", "ws://h/", "ws://h", "h", "/", "h", 80, false),
            row("ws://h/a\tb\nc\rd", "ws://h/abcd", "ws://h", "h", "/abcd", "h", 80, false),
            // query: kept even if empty
            row("ws://h?", "ws://h/?", "ws://h", "h", "/?", "h", 80, false),
            row("ws://h/p?", "ws://h/p?", "ws://h", "h", "/p?", "h", 80, false),
            row("ws://h:8080?x", "ws://h:8080/?x", "ws://h:8080", "h:8080", "/?x", "h", 8080, false),
            row("ws://h/?a=%41%zz", "ws://h/?a=%41%zz", "ws://h", "h", "/?a=%41%zz", "h", 80, false),
            row("ws://h/?q=a?b/c", "ws://h/?q=a?b/c", "ws://h", "h", "/?q=a?b/c", "h", 80, false),
            // percent-encoding of path and query
            row("ws://h/path with spaces/\u00fc?q=\u00e4 \u00f6&x='y'",
                    "ws://h/path%20with%20spaces/%C3%BC?q=%C3%A4%20%C3%B6&x=%27y%27", "ws://h", "h",
                    "/path%20with%20spaces/%C3%BC?q=%C3%A4%20%C3%B6&x=%27y%27", "h", 80, false),
            row("ws://h/a\"<>`{}|^b?\"<>`{}|^", "ws://h/a%22%3C%3E%60%7B%7D|%5Eb?%22%3C%3E`{}|^", "ws://h", "h",
                    "/a%22%3C%3E%60%7B%7D|%5Eb?%22%3C%3E`{}|^", "h", 80, false),
            row("ws://h/%zz%41%", "ws://h/%zz%41%", "ws://h", "h", "/%zz%41%", "h", 80, false),
            row("ws://h/\uD800x", "ws://h/%EF%BF%BDx", "ws://h", "h", "/%EF%BF%BDx", "h", 80, false),
            row("ws://h/\uD83D\uDE00", "ws://h/%F0%9F%98%80", "ws://h", "h", "/%F0%9F%98%80", "h", 80, false),
            row("ws://h/\u007f", "ws://h/%7F", "ws://h", "h", "/%7F", "h", 80, false),
            // dot segments
            row("ws://h/a/../b/./c/..", "ws://h/b/", "ws://h", "h", "/b/", "h", 80, false),
            row("ws://h/%2e/%2E%2e/x", "ws://h/x", "ws://h", "h", "/x", "h", 80, false),
            row("ws://h/..", "ws://h/", "ws://h", "h", "/", "h", 80, false),
            row("ws://h/../../a", "ws://h/a", "ws://h", "h", "/a", "h", 80, false),
            row("ws://h/a/.", "ws://h/a/", "ws://h", "h", "/a/", "h", 80, false),
            row("ws://h/a\\b\\..\\c", "ws://h/a/c", "ws://h", "h", "/a/c", "h", 80, false),
            row("ws://h//a//", "ws://h//a//", "ws://h", "h", "//a//", "h", 80, false),
            // user info: kept in href, never in the request
            row("ws://user:pass@h:8080/p", "ws://user:pass@h:8080/p", "ws://h:8080", "h:8080", "/p", "h", 8080, false),
            row("ws://user:pa:ss@h/", "ws://user:pa%3Ass@h/", "ws://h", "h", "/", "h", 80, false),
            row("ws://a@b@h/", "ws://a%40b@h/", "ws://h", "h", "/", "h", 80, false),
            row("ws://us er@h/", "ws://us%20er@h/", "ws://h", "h", "/", "h", 80, false),
            row("ws://:pw@h/", "ws://:pw@h/", "ws://h", "h", "/", "h", 80, false),
            row("ws://u:@h/", "ws://u@h/", "ws://h", "h", "/", "h", 80, false),
            row("ws://@h/", "ws://h/", "ws://h", "h", "/", "h", 80, false),
            // hosts
            row("ws://ex%41mple.com/", "ws://example.com/", "ws://example.com", "example.com", "/", "example.com", 80, false),
            row("ws://a_b-c.d/", "ws://a_b-c.d/", "ws://a_b-c.d", "a_b-c.d", "/", "a_b-c.d", 80, false),
            row("ws://h.:8080/", "ws://h.:8080/", "ws://h.:8080", "h.:8080", "/", "h.", 8080, false),
            row("ws://b\u00fccher.de/", "ws://xn--bcher-kva.de/", "ws://xn--bcher-kva.de", "xn--bcher-kva.de", "/",
                    "xn--bcher-kva.de", 80, false),
            row("ws://XN--BCHER-KVA.de/", "ws://xn--bcher-kva.de/", "ws://xn--bcher-kva.de", "xn--bcher-kva.de", "/",
                    "xn--bcher-kva.de", 80, false),
            row("ws://\uFF25\uFF38\uFF21\uFF2D\uFF30\uFF2C\uFF25.com/", "ws://example.com/", "ws://example.com",
                    "example.com", "/", "example.com", 80, false),
            row("ws://example\u3002com/", "ws://example.com/", "ws://example.com", "example.com", "/", "example.com", 80, false),
            // IPv4 in its many forms
            row("ws://127.0.0.1:9000/", "ws://127.0.0.1:9000/", "ws://127.0.0.1:9000", "127.0.0.1:9000", "/",
                    "127.0.0.1", 9000, false),
            row("ws://0x7f.1/", "ws://127.0.0.1/", "ws://127.0.0.1", "127.0.0.1", "/", "127.0.0.1", 80, false),
            row("ws://01.02.03.010/", "ws://1.2.3.8/", "ws://1.2.3.8", "1.2.3.8", "/", "1.2.3.8", 80, false),
            row("ws://4294967295/", "ws://255.255.255.255/", "ws://255.255.255.255", "255.255.255.255", "/",
                    "255.255.255.255", 80, false),
            row("ws://0xffffffff/", "ws://255.255.255.255/", "ws://255.255.255.255", "255.255.255.255", "/",
                    "255.255.255.255", 80, false),
            row("ws://1.0x100/", "ws://1.0.1.0/", "ws://1.0.1.0", "1.0.1.0", "/", "1.0.1.0", 80, false),
            row("ws://1.2.3.4./", "ws://1.2.3.4/", "ws://1.2.3.4", "1.2.3.4", "/", "1.2.3.4", 80, false),
            row("ws://0x/", "ws://0.0.0.0/", "ws://0.0.0.0", "0.0.0.0", "/", "0.0.0.0", 80, false),
            row("ws://a.0xg/", "ws://a.0xg/", "ws://a.0xg", "a.0xg", "/", "a.0xg", 80, false),
            // IPv6
            row("ws://[::1]:8080/chat", "ws://[::1]:8080/chat", "ws://[::1]:8080", "[::1]:8080", "/chat", "::1", 8080, false),
            row("ws://[0:0::1]", "ws://[::1]/", "ws://[::1]", "[::1]", "/", "::1", 80, false),
            row("ws://[::1]:80/", "ws://[::1]/", "ws://[::1]", "[::1]", "/", "::1", 80, false),
            row("wss://[::1]:443/", "wss://[::1]/", "wss://[::1]", "[::1]", "/", "::1", 443, true),
            row("ws://[::]/", "ws://[::]/", "ws://[::]", "[::]", "/", "::", 80, false),
            row("ws://[1::]/", "ws://[1::]/", "ws://[1::]", "[1::]", "/", "1::", 80, false),
            row("ws://[0:0:0:0:0:0:0:0]/", "ws://[::]/", "ws://[::]", "[::]", "/", "::", 80, false),
            row("ws://[1:2:3:4:5:6:7:8]/", "ws://[1:2:3:4:5:6:7:8]/", "ws://[1:2:3:4:5:6:7:8]",
                    "[1:2:3:4:5:6:7:8]", "/", "1:2:3:4:5:6:7:8", 80, false),
            row("ws://[1:0:0:2:0:0:0:3]/", "ws://[1:0:0:2::3]/", "ws://[1:0:0:2::3]", "[1:0:0:2::3]", "/",
                    "1:0:0:2::3", 80, false),
            row("ws://[1:0:0:0:2:0:0:3]/", "ws://[1::2:0:0:3]/", "ws://[1::2:0:0:3]", "[1::2:0:0:3]", "/",
                    "1::2:0:0:3", 80, false),
            row("ws://[1:0:2:3:4:5:6:7]/", "ws://[1:0:2:3:4:5:6:7]/", "ws://[1:0:2:3:4:5:6:7]",
                    "[1:0:2:3:4:5:6:7]", "/", "1:0:2:3:4:5:6:7", 80, false),
            row("ws://[FFFF::ABCD]/", "ws://[ffff::abcd]/", "ws://[ffff::abcd]", "[ffff::abcd]", "/", "ffff::abcd", 80, false),
            row("ws://[::ffff:1.2.3.4]/", "ws://[::ffff:102:304]/", "ws://[::ffff:102:304]", "[::ffff:102:304]", "/",
                    "::ffff:102:304", 80, false),
            row("ws://[0001:0db8::0001]/", "ws://[1:db8::1]/", "ws://[1:db8::1]", "[1:db8::1]", "/", "1:db8::1", 80, false)
        );
    }

    private static Arguments row(String input, String href, String origin, String hostHeader, String resourceName,
            String host, int port, boolean secure) {
        return Arguments.of(input, href, origin, hostHeader, resourceName, host, port, secure);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("goodUrls")
    void parsesGoodUrls(String input, String href, String origin, String hostHeader, String resourceName,
            String host, int port, boolean secure) {
        WebSocketUrl url = WebSocketUrl.parse(input);
        assertThat(url.href()).as("href").isEqualTo(href);
        assertThat(url.origin()).as("origin").isEqualTo(origin);
        assertThat(url.hostHeader()).as("hostHeader").isEqualTo(hostHeader);
        assertThat(url.resourceName()).as("resourceName").isEqualTo(resourceName);
        assertThat(url.host()).as("host").isEqualTo(host);
        assertThat(url.port()).as("port").isEqualTo(port);
        assertThat(url.secure()).as("secure").isEqualTo(secure);
        assertThat(url.scheme()).as("scheme").isEqualTo(secure ? "wss" : "ws");
        assertThat(url.toString()).isEqualTo(WebSocketUrl.redact(href));
        assertThat(url.toString()).doesNotContain(url.password().isEmpty() ? "\u0000" : ":" + url.password() + "@");
        // parsing is idempotent
        assertThat(WebSocketUrl.parse(href).href()).isEqualTo(href);
    }

    @Test
    void userInfoIsAvailableButNotSent() {
        WebSocketUrl url = WebSocketUrl.parse("ws://al%20ice:s3cr%3At@h/x");
        assertThat(url.username()).isEqualTo("al%20ice");
        assertThat(url.password()).isEqualTo("s3cr%3At");
        assertThat(url.resourceName()).doesNotContain("alice").doesNotContain("s3cr");
        assertThat(url.hostHeader()).isEqualTo("h");
        assertThat(url.origin()).isEqualTo("ws://h");
        WebSocketUrl none = WebSocketUrl.parse("ws://h/");
        assertThat(none.username()).isEmpty();
        assertThat(none.password()).isEmpty();
    }

    // input, a word the message must contain
    static Stream<Arguments> badUrls() {
        return Stream.of(
            Arguments.of("", "empty"),
            Arguments.of("   ", "empty"),
            Arguments.of("//h/", "absolute"),
            Arguments.of("h/x", "absolute"),
            Arguments.of("localhost:8080", "scheme 'localhost'"),
            Arguments.of("/chat", "absolute"),
            Arguments.of("1ws://h/", "absolute"),
            Arguments.of("ftp://h/", "scheme 'ftp'"),
            Arguments.of("file:///tmp/x", "scheme 'file'"),
            Arguments.of("foo://h/", "scheme 'foo'"),
            Arguments.of("javascript:alert(1)", "scheme 'javascript'"),
            Arguments.of("wss+x://h/", "scheme 'wss+x'"),
            Arguments.of("ws://h/#", "fragment"),
            Arguments.of("ws://h#x", "fragment"),
            Arguments.of("ws://h/?a#", "fragment"),
            Arguments.of("ws://h:8080#", "fragment"),
            Arguments.of("ws://h/p#frag", "fragment"),
            Arguments.of("ws://", "host"),
            Arguments.of("ws:///", "host"),
            Arguments.of("ws://?x", "host"),
            Arguments.of("ws://u@/", "host"),
            Arguments.of("ws://u@", "host"),
            Arguments.of("ws://:80/", "host"),
            Arguments.of("ws://h:65536/", "port"),
            Arguments.of("ws://h:99999999999999999999/", "port"),
            Arguments.of("ws://h:8a/", "port"),
            Arguments.of("ws://h:-1/", "port"),
            Arguments.of("ws://h: 80/", "port"),
            Arguments.of("ws://h:80:81/", "port"),
            Arguments.of("ws://[::1/", "IPv6"),
            Arguments.of("ws://[::1]x/", "IPv6"),
            Arguments.of("ws://[1:2:3:4:5:6:7:8:9]/", "IPv6"),
            Arguments.of("ws://[1:2:3:4:5:6:7]/", "IPv6"),
            Arguments.of("ws://[1::2::3]/", "IPv6"),
            Arguments.of("ws://[:1]/", "IPv6"),
            Arguments.of("ws://[1:]/", "IPv6"),
            Arguments.of("ws://[::1.2.3]/", "IPv6"),
            Arguments.of("ws://[::1.2.3.256]/", "IPv6"),
            Arguments.of("ws://[::01.2.3.4]/", "IPv6"),
            Arguments.of("ws://[g::1]/", "IPv6"),
            Arguments.of("ws://4294967296/", "IPv4"),
            Arguments.of("ws://1.2.3.4.5/", "IPv4"),
            Arguments.of("ws://256.1.1.1/", "IPv4"),
            Arguments.of("ws://1.2.3.09/", "IPv4"),
            Arguments.of("ws://a.b.c.1/", "IPv4"),
            Arguments.of("ws://a.0x/", "IPv4"),
            Arguments.of("ws://a b/", "forbidden"),
            Arguments.of("ws://a%20b/", "forbidden"),
            Arguments.of("ws://a<b/", "forbidden"),
            Arguments.of("ws://a%b/", "forbidden"),
            Arguments.of("ws://a%25b/", "forbidden"),
            Arguments.of("ws://a^b/", "forbidden"),
            Arguments.of("ws://a|b/", "forbidden"),
            Arguments.of("ws://x[::1]/", "forbidden"),
            Arguments.of("ws://a%2Fb/", "forbidden"),
            Arguments.of("ws://a%00b/", "forbidden"),
            Arguments.of("ws://xn--zz/", "Punycode"),
            Arguments.of("ws://a\uFFFDb/", "host")
        );
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("badUrls")
    void rejectsBadUrlsWithSyntaxError(String input, String messagePart) {
        UrlException e = catchThrowableOfType(() -> WebSocketUrl.parse(input), UrlException.class);
        assertThat(e).as("exception for %s", input).isNotNull();
        assertThat(e.domName()).isEqualTo("SyntaxError");
        assertThat(e.isSecurity()).isFalse();
        assertThat(e.getMessage()).contains(messagePart);
    }

    @Test
    void nullUrlIsANullPointerException() {
        assertThatThrownBy(() -> WebSocketUrl.parse(null)).isInstanceOf(NullPointerException.class);
    }

    static IntStream badPorts() {
        return Arrays.stream(BAD_PORTS);
    }

    @ParameterizedTest(name = "port {0}")
    @MethodSource("badPorts")
    void everyBadPortIsASecurityError(int port) {
        for (String scheme : List.of("ws", "wss", "http", "https")) {
            UrlException e = catchThrowableOfType(() -> WebSocketUrl.parse(scheme + "://example.com:" + port + "/"),
                    UrlException.class);
            assertThat(e).as("%s with port %d", scheme, port).isNotNull();
            assertThat(e.domName()).isEqualTo("SecurityError");
            assertThat(e.isSecurity()).isTrue();
            assertThat(e.getMessage()).contains(String.valueOf(port));
        }
        assertThat(WebSocketUrl.isBadPort(port)).isTrue();
    }

    @Test
    void portsOffTheListAreAllowed() {
        List<Integer> bad = new ArrayList<>();
        for (int p : BAD_PORTS) {
            bad.add(p);
        }
        int allowed = 0;
        for (int port = 0; port <= 65535; port++) {
            assertThat(WebSocketUrl.isBadPort(port)).as("port %d", port).isEqualTo(bad.contains(port));
            if (!bad.contains(port)) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(65536 - BAD_PORTS.length);
        for (int port : new int[] {0, 2, 80, 443, 8080, 3000, 6664, 6670, 10081, 65535}) {
            assertThat(WebSocketUrl.parse("ws://h:" + port + "/").port()).isEqualTo(port);
        }
    }

    @Test
    void fragmentCheckComesBeforeThePortCheck() {
        // as in the WHATWG constructor steps: fragment (SyntaxError) is checked first
        assertThat(catchThrowableOfType(() -> WebSocketUrl.parse("ws://h:25/#x"), UrlException.class).domName())
                .isEqualTo("SyntaxError");
    }

    @Test
    void messageNamesTheUrl() {
        assertThatThrownBy(() -> WebSocketUrl.parse("gopher://h/"))
                .hasMessageContaining("gopher://h/")
                .hasMessageContaining("ws, wss, http or https");
    }

    // ---- subprotocols

    @Test
    void validProtocolsAreCopied() {
        List<String> given = new ArrayList<>(List.of("chat", "v2.json", "a!#$%&'*+-.^_`|~z", "Chat"));
        List<String> checked = WebSocketUrl.validateProtocols(given);
        given.clear();
        assertThat(checked).containsExactly("chat", "v2.json", "a!#$%&'*+-.^_`|~z", "Chat");
        assertThatThrownBy(() -> checked.add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(WebSocketUrl.validateProtocols(List.of())).isEmpty();
        assertThat(WebSocketUrl.validateProtocols(null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b", "a,b", "a/b", "a;b", "a:b", "a=b", "\"a\"", "(a)", "a[b]", "{a}", "a?",
        "a@b", "a\\b", "caf\u00e9", "a\tb", "a\u007f", "<a>"})
    void invalidProtocolIsASyntaxError(String protocol) {
        UrlException e = catchThrowableOfType(() -> WebSocketUrl.validateProtocols(List.of("ok", protocol)),
                UrlException.class);
        assertThat(e).isNotNull();
        assertThat(e.domName()).isEqualTo("SyntaxError");
    }

    @Test
    void duplicateProtocolIsASyntaxErrorButCaseMatters() {
        UrlException e = catchThrowableOfType(() -> WebSocketUrl.validateProtocols(List.of("a", "b", "a")),
                UrlException.class);
        assertThat(e.domName()).isEqualTo("SyntaxError");
        assertThat(e.getMessage()).contains("'a'").contains("more than once");
        assertThat(WebSocketUrl.validateProtocols(List.of("chat", "CHAT"))).hasSize(2);
    }

    @Test
    void nullProtocolIsASyntaxError() {
        List<String> withNull = Arrays.asList("a", null);
        assertThat(catchThrowableOfType(() -> WebSocketUrl.validateProtocols(withNull), UrlException.class).domName())
                .isEqualTo("SyntaxError");
    }

    @org.junit.jupiter.api.Test
    void passwordsAreRedactedInMessagesButKeptInHref() {
        WebSocketUrl u = WebSocketUrl.parse("ws://user:s3cret@example.com:8080/p?q");
        assertThat(u.href()).isEqualTo("ws://user:s3cret@example.com:8080/p?q");
        assertThat(u.redacted()).isEqualTo("ws://user:****@example.com:8080/p?q");
        assertThat(WebSocketUrl.redact("ws://user@example.com/")).isEqualTo("ws://user@example.com/");
        assertThat(WebSocketUrl.redact("ws://example.com/a@b:c")).isEqualTo("ws://example.com/a@b:c");
    }
}
