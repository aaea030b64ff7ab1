package dev.duplex.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Secrets kept out of what the CLI prints. */
class RedactTest {
    @Test
    void urlPasswordsAreMasked() {
        assertThat(Redact.url("wss://alice:s3cret@host:8443/p?q=1")).isEqualTo("wss://alice:***@host:8443/p?q=1");
        assertThat(Redact.url("ws://alice@host/")).isEqualTo("ws://alice@host/");
        assertThat(Redact.url("ws://host/a@b")).as("an @ in the path is no user info").isEqualTo("ws://host/a@b");
        assertThat(Redact.url("http://u:p@proxy:3128")).isEqualTo("http://u:***@proxy:3128");
        assertThat(Redact.splitUserInfo("ws://u:p@h/x")).containsExactly("ws://h/x", "u:p");
    }

    @Test
    void secretHeaderValuesAreRedactedInTraceLines() {
        assertThat(Redact.headerLine("/127.0.0.1:8080 > Authorization: Basic dXNlcjpwdw=="))
                .isEqualTo("/127.0.0.1:8080 > Authorization: Basic [redacted]");
        assertThat(Redact.headerLine("> Cookie: session=abc; other=def")).isEqualTo("> Cookie: [redacted]");
        assertThat(Redact.headerLine("< set-cookie: id=1; HttpOnly")).isEqualTo("< set-cookie: [redacted]");
        assertThat(Redact.headerLine("> Proxy-Authorization: Basic eDp5")).isEqualTo("> Proxy-Authorization: Basic [redacted]");
        assertThat(Redact.headerLine("> Authorization: token")).isEqualTo("> Authorization: [redacted]");
        assertThat(Redact.headerLine("> Host: example.com")).isEqualTo("> Host: example.com");
    }
}
