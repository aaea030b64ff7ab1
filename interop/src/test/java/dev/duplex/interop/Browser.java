package dev.duplex.interop;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Debian Chromium, driven by playwright-core (node/browser.js), with one page loaded
 * from a tiny HTTP server over src/test/node/page/. {@link #call} runs a function of the page.
 */
final class Browser implements AutoCloseable {
    private final HttpServer http;
    private final Peer driver;
    private final AtomicInteger ids = new AtomicInteger();

    private Browser(HttpServer http, Peer driver) {
        this.http = http;
        this.driver = driver;
    }

    static Browser start() throws IOException {
        String chromium = Env.chromium();
        Path root = Env.NODE_DIR.resolve("page");
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            String name = exchange.getRequestURI().getPath().replaceFirst("^/", "");
            Path file = root.resolve(name.isEmpty() ? "index.html" : name).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] body = Files.readAllBytes(file);
            String type = name.endsWith(".js") ? "text/javascript; charset=utf-8"
                    : name.endsWith(".json") ? "application/json" : "text/html; charset=utf-8";
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/index.html";
        try {
            Peer driver = Peer.node("chromium", "browser.js", url, chromium);
            Env.report("chromium: " + driver.ready());
            return new Browser(http, driver);
        } catch (IOException | RuntimeException | Error e) {
            http.stop(0);
            throw e;
        }
    }

    Map<String, Object> ready() {
        return driver.ready();
    }

    /** Runs {@code window[fn](...args)} in the page and returns its (JSON) result. */
    Object call(Duration timeout, String fn, Object... args) {
        String id = String.valueOf(ids.incrementAndGet());
        Map<String, Object> command = new LinkedHashMap<>();
        command.put("id", id);
        command.put("fn", fn);
        command.put("args", List.of(args));
        driver.send(command);
        Map<String, Object> reply = driver.await(l -> id.equals(String.valueOf(l.get("id"))) && (l.containsKey("result")
                || l.containsKey("error")), timeout);
        if (reply.containsKey("error")) {
            throw new AssertionError("page function " + fn + " failed: " + reply.get("error") + driver.diagnostics());
        }
        return reply.get("result");
    }

    /** Sends a playwright command ({@code goto}, {@code fill}, {@code click}, {@code text}) and returns its result. */
    Object page(Duration timeout, String command, Object argument) {
        String id = String.valueOf(ids.incrementAndGet());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put(command, argument);
        driver.send(c);
        Map<String, Object> reply = driver.await(l -> id.equals(String.valueOf(l.get("id"))) && (l.containsKey("result")
                || l.containsKey("error")), timeout);
        if (reply.containsKey("error")) {
            throw new AssertionError(command + " " + argument + " failed: " + reply.get("error") + driver.diagnostics());
        }
        return reply.get("result");
    }

    /** The URL of the page the tests' functions run in (another origin than any server under test). */
    String pageUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/index.html";
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> callObject(Duration timeout, String fn, Object... args) {
        return (Map<String, Object>) call(timeout, fn, args);
    }

    String diagnostics() {
        return driver.diagnostics();
    }

    @Override
    public void close() {
        driver.close();
        http.stop(0);
    }
}
