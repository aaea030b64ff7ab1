package dev.duplex.cli;

import dev.duplex.WebSocketOptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How connect/bench options (and the proxy environment) map to WebSocketOptions. */
class ClientOptionsTest {
    private static ClientOptions.Target prepare(Map<String, String> env, String... args) {
        ConnectCommand c = new ConnectCommand();
        new picocli.CommandLine(c).parseArgs(args);
        c.client.environment = env;
        return c.client.prepare(c.url, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static WebSocketOptions build(String... args) {
        return prepare(Map.of(), args).options;
    }

    @Test
    void proxyWithAndWithoutCredentialsAndCurlsDefaultPort() {
        WebSocketOptions plain = build("ws://x/", "--proxy", "proxy.local:3128");
        assertThat(plain.proxy().getHostString()).isEqualTo("proxy.local");
        assertThat(plain.proxy().getPort()).isEqualTo(3128);
        assertThat(plain.proxyAuthorization()).isNull();

        WebSocketOptions auth = build("ws://x/", "--proxy", "http://user:p@ss@[::1]:8080/");
        assertThat(auth.proxy().getHostString()).isEqualTo("::1");
        assertThat(auth.proxy().getPort()).isEqualTo(8080);
        assertThat(auth.proxyAuthorization()).isEqualTo("Basic dXNlcjpwQHNz");     // user:p@ss

        assertThat(build("ws://x/", "--proxy", "proxy.local").proxy().getPort()).isEqualTo(1080);

        for (String bad : List.of("host:0", ":80", "user@host:80", "host:http", "socks5://h:1080")) {
            assertThatThrownBy(() -> build("ws://x/", "--proxy", bad)).as(bad)
                    .isInstanceOf(Main.CliException.class).hasMessageContaining("--proxy");
        }
        assertThatThrownBy(() -> build("ws://x/", "--proxy", "http://u:secret@h:x"))
                .hasMessageNotContaining("secret").hasMessageContaining("u:***@");
    }

    @Test
    void proxyEnvironmentAsCurlReadsIt() {
        Map<String, String> env = Map.of("http_proxy", "http://p1:3128", "HTTPS_PROXY", "p2:3129",
                "no_proxy", "localhost,.internal.example, 10.0.0.7");
        assertThat(prepare(env, "ws://far.example/").options.proxy().getPort()).isEqualTo(3128);
        assertThat(prepare(env, "wss://far.example/").options.proxy().getPort()).isEqualTo(3129);
        assertThat(prepare(env, "ws://localhost:8080/").options.proxy()).as("no_proxy name").isNull();
        assertThat(prepare(env, "ws://api.internal.example/").options.proxy()).as("no_proxy domain").isNull();
        assertThat(prepare(env, "ws://10.0.0.7/").options.proxy()).as("no_proxy address").isNull();
        assertThat(prepare(env, "ws://far.example/", "--no-proxy").options.proxy()).isNull();
        assertThat(prepare(env, "ws://localhost/", "--proxy", "p3:1").options.proxy().getHostString())
                .as("--proxy overrides, no_proxy too").isEqualTo("p3");
        assertThat(prepare(Map.of("HTTP_PROXY", "http://p:1"), "ws://far.example/").options.proxy())
                .as("upper-case HTTP_PROXY is ignored, as curl does (httpoxy)").isNull();
        assertThat(prepare(Map.of("all_proxy", "http://p:9"), "ws://far.example/").options.proxy().getPort()).isEqualTo(9);
        assertThat(prepare(Map.of("http_proxy", "http://p:9", "no_proxy", "*"), "ws://far.example/").options.proxy()).isNull();
        assertThat(prepare(env, "ws://far.example/").proxy).isEqualTo("http://p1:3128");
        assertThatThrownBy(() -> prepare(Map.of("http_proxy", "socks5://p:1"), "ws://far.example/"))
                .hasMessageContaining("http_proxy: only HTTP proxies");
        assertThatThrownBy(() -> build("ws://x/", "--proxy", "p:1", "--no-proxy")).hasMessageContaining("together");
    }

    @Test
    void urlUserInfoAndAuthBecomeBasicAuthorizationAndLeaveTheUrl() {
        ClientOptions.Target t = prepare(Map.of(), "ws://al%20ice:s%40cret@host:8080/p?q");
        assertThat(t.url).isEqualTo("ws://host:8080/p?q");
        assertThat(t.options.headers().get("Authorization")).containsExactly("Basic YWwgaWNlOnNAY3JldA==");  // "al ice:s@cret"
        ClientOptions.Target auth = prepare(Map.of(), "ws://u:x@host/", "--auth", "bob:pw");
        assertThat(auth.options.headers().get("Authorization")).containsExactly("Basic Ym9iOnB3");
        ClientOptions.Target explicit = prepare(Map.of(), "ws://u:x@host/", "-H", "Authorization: Bearer t");
        assertThat(explicit.options.headers().get("Authorization")).containsExactly("Bearer t");
        assertThatThrownBy(() -> build("ws://h/", "--auth", "nocolon")).hasMessageContaining("USER:PASSWORD");
    }

    @Test
    void locationFollowsRedirects() {
        assertThat(build("ws://x/").maxRedirects()).isZero();
        assertThat(build("ws://x/", "-L").maxRedirects()).isEqualTo(ClientOptions.MAX_REDIRECTS);
    }

    @Test
    void everyOtherOption() {
        WebSocketOptions o = build("ws://x/", "-H", "A: 1", "-H", "B:2", "--origin", "https://o.example", "--no-deflate",
                "--ping-interval", "2.5", "--max-message", "16k", "--connect-timeout", "3");
        assertThat(o.headers()).containsEntry("A", List.of("1")).containsEntry("B", List.of("2"));
        assertThat(o.origin()).isEqualTo("https://o.example");
        assertThat(o.perMessageDeflate()).isFalse();
        assertThat(o.pingInterval()).isEqualTo(Duration.ofMillis(2500));
        assertThat(o.maxMessageSize()).isEqualTo(16 * 1024);
        assertThat(o.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.sslContext()).isNull();
        assertThat(o.hostnameVerification()).isTrue();

        WebSocketOptions insecure = build("wss://x/", "--insecure");
        assertThat(insecure.sslContext()).isNotNull();
        assertThat(insecure.hostnameVerification()).isFalse();

        assertThatThrownBy(() -> build("ws://x/", "-H", "Upgrade: h2c")).isInstanceOf(Main.CliException.class);
        assertThatThrownBy(() -> build("ws://x/", "--insecure", "--cacert", "x.pem")).isInstanceOf(Main.CliException.class);
        assertThatThrownBy(() -> build("ws://x/", "--cacert", "/no/such/file.pem"))
                .hasMessageContaining("cannot read");
        assertThatThrownBy(() -> build("ws://x/", "--cert", "/no/such/file.pem"))
                .hasMessageContaining("--cert and --key go together");
        assertThatThrownBy(() -> build("ws://x/", "-H", "Authorization Basic s3cret"))
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void insecurePrintsAWarning() {
        ConnectCommand c = new ConnectCommand();
        new picocli.CommandLine(c).parseArgs("wss://x/", "--insecure");
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        c.client.prepare(c.url, new PrintStream(warnings, true, StandardCharsets.UTF_8));
        assertThat(warnings.toString(StandardCharsets.UTF_8)).contains("WARNING: --insecure");
    }
}
