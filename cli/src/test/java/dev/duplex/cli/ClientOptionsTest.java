package dev.duplex.cli;

import dev.duplex.WebSocketOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How connect/bench options map to WebSocketOptions. */
class ClientOptionsTest {
    private static WebSocketOptions build(String... args) {
        ConnectCommand c = new ConnectCommand();
        new picocli.CommandLine(c).parseArgs(args);
        return c.client.build(false);
    }

    @Test
    void proxyWithAndWithoutCredentials() {
        WebSocketOptions plain = build("ws://x/", "--proxy", "proxy.local:3128");
        assertThat(plain.proxy().getHostString()).isEqualTo("proxy.local");
        assertThat(plain.proxy().getPort()).isEqualTo(3128);
        assertThat(plain.proxyAuthorization()).isNull();

        WebSocketOptions auth = build("ws://x/", "--proxy", "http://user:p@ss@[::1]:8080/");
        assertThat(auth.proxy().getHostString()).isEqualTo("::1");
        assertThat(auth.proxy().getPort()).isEqualTo(8080);
        assertThat(auth.proxyAuthorization()).isEqualTo("Basic dXNlcjpwQHNz");     // user:p@ss

        for (String bad : List.of("host", "host:0", ":80", "user@host:80", "host:http")) {
            assertThatThrownBy(() -> build("ws://x/", "--proxy", bad)).as(bad)
                    .isInstanceOf(Main.CliException.class).hasMessageContaining("--proxy");
        }
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
    }
}
