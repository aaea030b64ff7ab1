package dev.duplex.interop;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code duplex serve} command (a separate process) seen by headless Chromium: a page on
 * another origin cannot drive {@code --exec} (cross-site WebSocket hijacking, issue 14) unless
 * that origin is allowed with {@code --origin}; the {@code --devconsole} page works as a user
 * types in it (issue 20).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliBrowserTest {
    private static final Duration SHORT = Duration.ofSeconds(30);

    private Browser browser;
    private final List<Serve> servers = new ArrayList<>();

    /** A {@code duplex serve} process; its stderr goes to a file, read for the URL it prints. */
    static final class Serve implements AutoCloseable {
        final Process process;
        final Path err;
        final String url;

        Serve(String... args) throws Exception {
            err = Files.createTempFile("duplex-serve", ".err");
            List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.duplex.cli.Main",
                    "serve", "--port", "0", "--quiet"));
            cmd.addAll(List.of(args));
            process = new ProcessBuilder(cmd).redirectErrorStream(false).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Matcher m;
            while (true) {
                String text = Files.readString(err, StandardCharsets.UTF_8);
                m = Pattern.compile("listening on (ws://[^ ]+/)").matcher(text);
                if (m.find()) {
                    break;
                }
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    close();
                    throw new AssertionError("duplex serve did not start: " + text);
                }
                Thread.sleep(20);
            }
            url = m.group(1);
        }

        String httpUrl() {
            return url.replace("ws://", "http://");
        }

        @Override
        public void close() throws IOException, InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            new File(err.toString()).delete();
        }
    }

    @BeforeAll
    void start() throws Exception {
        browser = Browser.start();
    }

    @AfterAll
    void stop() throws Exception {
        for (Serve s : servers) {
            s.close();
        }
        if (browser != null) {
            browser.close();
        }
    }

    private Serve serve(String... args) throws Exception {
        Serve s = new Serve(args);
        servers.add(s);
        return s;
    }

    @Test
    void aPageOfAnotherOriginCannotDriveExecUnlessThatOriginIsAllowed() throws Exception {
        String pageOrigin = browser.pageUrl().replaceAll("^(http://[^/]+)/.*$", "$1");
        Serve strict = serve("--exec", "tr a-z A-Z");
        Map<String, Object> refused = browser.callObject(SHORT, "tryOpen", strict.url, "id");
        assertThat(refused.get("opened")).as("%s", refused).isEqualTo(false);
        assertThat(((Number) refused.get("code")).intValue()).isEqualTo(1006);
        assertThat(refused.get("events")).as("the page saw error, never open").isEqualTo(List.of("error"));

        Serve allowing = serve("--exec", "tr a-z A-Z", "--origin", pageOrigin);
        Map<String, Object> allowed = browser.callObject(SHORT, "tryOpen", allowing.url, "hello");
        assertThat(allowed).as("%s", allowed).containsEntry("opened", true).containsEntry("answer", "HELLO");
    }

    @Test
    void theDevConsoleSendsWhatIsTypedAndShowsTheAnswer() throws Exception {
        Serve console = serve("--exec", "tr a-z A-Z", "--devconsole");
        Browser other = Browser.start();       // its own page, so the other test's page stays loaded
        try {
            other.page(SHORT, "goto", console.httpUrl());
            awaitText(other, "#state", "open"::equals);
            other.page(SHORT, "fill", List.of("#message", "typed in chromium"));
            other.page(SHORT, "click", "#send");
            String log = awaitText(other, "#log", t -> t.contains("< TYPED IN CHROMIUM"));
            assertThat(log).contains("> typed in chromium").contains("# open " + console.url);
            other.page(SHORT, "click", "#disconnect");
            assertThat(awaitText(other, "#log", t -> t.contains("closed: code"))).contains("closed: code 1000");
        } finally {
            other.close();
        }
    }

    private static String awaitText(Browser b, String selector, Predicate<String> ok) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String text = "";
        while (System.nanoTime() < deadline) {
            Object t = b.page(SHORT, "text", selector);
            text = t == null ? "" : t.toString();
            if (ok.test(text)) {
                return text;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(selector + " never matched; it reads: " + text + b.diagnostics());
    }
}
