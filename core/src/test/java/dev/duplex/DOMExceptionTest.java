package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class DOMExceptionTest {

    @Test
    void legacyCodeConstants() {
        assertThat(DOMException.INVALID_STATE_ERR).isEqualTo(11);
        assertThat(DOMException.SYNTAX_ERR).isEqualTo(12);
        assertThat(DOMException.INVALID_ACCESS_ERR).isEqualTo(15);
        assertThat(DOMException.SECURITY_ERR).isEqualTo(18);
    }

    @Test
    void factoriesSetNameCodeAndMessage() {
        check(DOMException.invalidState("not open"), "InvalidStateError", 11, "not open");
        check(DOMException.syntax("bad url"), "SyntaxError", 12, "bad url");
        check(DOMException.invalidAccess("bad code"), "InvalidAccessError", 15, "bad code");
        check(DOMException.security("bad port"), "SecurityError", 18, "bad port");
    }

    private static void check(DOMException e, String name, int code, String message) {
        assertThat(e.name()).isEqualTo(name);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.getCause()).isNull();
    }

    @Test
    void constructorDerivesCodeFromName() {
        assertThat(new DOMException("m", "SyntaxError").code()).isEqualTo(DOMException.SYNTAX_ERR);
        assertThat(new DOMException("m", "SecurityError").code()).isEqualTo(DOMException.SECURITY_ERR);
        assertThat(new DOMException("m", "NotSupportedError").code()).isEqualTo(9);
        assertThat(new DOMException("m", "NotAllowedError").code()).isZero();
        assertThat(new DOMException("m", "syntaxerror").code()).isZero(); // names are case-sensitive
    }

    @Test
    void nullNameIsError() {
        DOMException e = new DOMException("m", null);
        assertThat(e.name()).isEqualTo("Error");
        assertThat(e.code()).isZero();
    }

    @Test
    void isAnUncheckedExceptionWithOptionalCause() {
        IOException cause = new IOException("io");
        DOMException e = new DOMException("wrapped", "InvalidStateError", cause);
        assertThat(e).isInstanceOf(RuntimeException.class);
        assertThat(e.getCause()).isSameAs(cause);
    }

    @Test
    void toStringShowsNameAndMessage() {
        assertThat(DOMException.syntax("The URL is bad").toString())
                .isEqualTo("dev.duplex.DOMException: SyntaxError: The URL is bad");
        assertThat(new DOMException("", "AbortError").toString()).isEqualTo("dev.duplex.DOMException: AbortError");
    }
}
