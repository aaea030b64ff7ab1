package dev.duplex.interop;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser-differential suite: every scenario of src/test/resources/scenarios.json runs once
 * with headless Chromium's WebSocket (page/scenarios.js) and once with Duplex's client
 * ({@link ScenarioRunner}), against the same scripted ws server; the two traces (client events
 * and attributes, exceptions by DOMException name, plus what the server saw) must be equal.
 * The deliberate differences of API.md are declared in one place, the file's "differences",
 * each with its reason and the trace lines that each side must show instead.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DifferentialTest {
    static final Path SCENARIOS = Env.DIR.resolve("src/test/resources/scenarios.json");
    private final AtomicInteger runs = new AtomicInteger();
    private Map<String, Object> file;
    private Peer server;
    private Browser browser;
    private int closedPort;

    @BeforeAll
    void start() throws IOException {
        file = Json.object(Files.readString(SCENARIOS, StandardCharsets.UTF_8));
        server = Peer.node("scripted-server", "scripted-server.js", SCENARIOS.toString());
        browser = Browser.start();
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @TestFactory
    @SuppressWarnings("unchecked")
    Stream<DynamicTest> chromium_and_duplex_trace_alike() {
        List<Map<String, Object>> scenarios = (List<Map<String, Object>>) file.get("scenarios");
        Map<String, Object> differences = (Map<String, Object>) file.get("differences");
        return scenarios.stream().map(s -> DynamicTest.dynamicTest((String) s.get("name"), () -> {
            List<String> chromium = trace(s, "c", true);
            List<String> duplex = trace(s, "d", false);
            String difference = (String) s.get("difference");
            String shown = "\n  scenario " + s.get("name") + "\n  chromium: " + String.join("\n            ", chromium)
                    + "\n  duplex:   " + String.join("\n            ", duplex);
            Env.report("differential " + s.get("name") + (chromium.equals(duplex) ? " same" : " DIFFERENT") + shown);
            if (difference == null) {
                assertThat(duplex).as("Duplex's trace equals Chromium's" + shown).isEqualTo(chromium);
                return;
            }
            Map<String, Object> declared = (Map<String, Object>) differences.get(difference);
            assertThat(declared).as("difference '" + difference + "' is declared").isNotNull();
            assertThat(duplex).as("a declared difference shows" + shown).isNotEqualTo(chromium);
            for (String line : (List<String>) declared.get("chromium")) {
                assertThat(chromium).as("Chromium shows '" + line + "'" + shown).anyMatch(l -> l.startsWith(line));
            }
            for (String line : (List<String>) declared.get("duplex")) {
                assertThat(duplex).as("Duplex shows '" + line + "'" + shown).anyMatch(l -> l.startsWith(line));
            }
        }));
    }

    /** Runs the scenario's client steps in Chromium or with Duplex, then adds what the server saw. */
    @SuppressWarnings("unchecked")
    private List<String> trace(Map<String, Object> scenario, String side, boolean inChromium) throws Exception {
        String run = side + runs.incrementAndGet();
        int port = server.port();
        String name = (String) scenario.get("name");
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("port", port);
        vars.put("run", run);
        vars.put("closedPort", closedPort);
        vars.put("server", "ws://127.0.0.1:" + port + "/s/" + name + "?run=" + run);
        vars.put("http", "http://127.0.0.1:" + port + "/s/" + name + "?run=" + run);
        List<String> client = inChromium
                ? (List<String>) browser.call(Duration.ofSeconds(60), "runScenario", scenario, vars)
                : ScenarioRunner.run(scenario, vars);
        List<String> out = new ArrayList<>();
        for (String line : client) {
            out.add(normalize(line, run, port));
        }
        boolean clientFailed = out.stream().anyMatch(l -> l.startsWith("error "));
        if (!Boolean.FALSE.equals(scenario.get("serverView"))) {
            out.addAll(serverView(run, clientFailed));
        }
        return out;
    }

    private String normalize(String line, String run, int port) {
        return line.replace(run, "RUN").replace(":" + port + "/", ":PORT/").replace(":" + closedPort + "/", ":CLOSED/");
    }

    /**
     * What the scripted server saw of run {@code run}. When the client failed the connection, the
     * reason of its close frame is its own wording (Chromium's "Invalid reserved bit", Duplex's
     * empty one): only the code is compared then.
     */
    private List<String> serverView(String run, boolean clientFailed) {
        try {
            server.await(l -> run.equals(l.get("run")) && "upgrade".equals(l.get("ev")), Duration.ofMillis(400));
        } catch (AssertionError none) {
            return List.of();   // the client never reached the server
        }
        server.await(l -> run.equals(l.get("run")) && "end".equals(l.get("ev")), Duration.ofSeconds(8));
        List<String> out = new ArrayList<>();
        for (Map<String, Object> l : server.lines(run)) {
            switch (String.valueOf(l.get("ev"))) {
                case "upgrade" -> out.add("server: upgrade protocols=" + Json.write(l.get("protocols")));
                case "message" -> out.add("server: message " + l.get("type") + " " + Json.write(l.get("data")));
                case "pong" -> out.add("server: pong " + Json.write(l.get("data")));
                case "close" -> out.add("server: close " + l.get("code")
                        + (clientFailed ? " (reason not compared: the client failed the connection)" : " " + Json.write(l.get("reason"))));
                default -> {
                    // open, end, error: the lines above say what matters
                }
            }
        }
        return out;
    }
}
