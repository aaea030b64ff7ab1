package dev.duplex.interop;

import dev.duplex.BinaryType;
import dev.duplex.Blob;
import dev.duplex.CloseEvent;
import dev.duplex.DOMException;
import dev.duplex.Event;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a scenario's client steps with Duplex's client, mirroring page/scenarios.js step for step.
 * Like the page's event loop, the steps between two waits and every event handler run on one
 * thread (the socket's executor), so a handler never runs in the middle of a batch of steps.
 */
final class ScenarioRunner {
    private static final Pattern VAR = Pattern.compile("\\$(\\w+)");
    private final Map<String, Object> vars;
    private final List<String> trace = new ArrayList<>();
    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<String, List<Map<String, Object>>> handlers = new HashMap<>();
    private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "scenario-loop");
        t.setDaemon(true);
        return t;
    });
    private WebSocket ws;

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "scenario-timer");
        t.setDaemon(true);
        return t;
    });
    private final CompletableFuture<List<String>> done = new CompletableFuture<>();
    private List<Map<String, Object>> steps;
    private int pc;
    /** The wait step the scenario is blocked on, or null. */
    private Map<String, Object> waiting;

    private ScenarioRunner(Map<String, Object> vars) {
        this.vars = vars;
    }

    /**
     * Runs the steps on the loop thread: a wait step parks the scenario, and the event that
     * satisfies it resumes the steps right after its handlers, as a resolved promise does in the
     * page; a wait that times out adds "timeout waiting for TYPE" and goes on.
     */
    @SuppressWarnings("unchecked")
    static List<String> run(Map<String, Object> scenario, Map<String, Object> vars) throws Exception {
        ScenarioRunner runner = new ScenarioRunner(vars);
        runner.steps = (List<Map<String, Object>>) scenario.get("client");
        try {
            runner.loop.execute(runner::advance);
            return runner.done.get(60, TimeUnit.SECONDS);
        } finally {
            runner.timers.shutdownNow();
            runner.loop.shutdown();
        }
    }

    /** Loop thread: runs steps until a wait that is not yet satisfied, a sleep, or the end. */
    private void advance() {
        while (pc < steps.size()) {
            Map<String, Object> step = steps.get(pc++);
            String op = (String) step.get("op");
            if (op.equals("wait")) {
                if (satisfied(step)) {
                    continue;
                }
                waiting = step;
                timers.schedule(() -> loop.execute(() -> {
                    if (waiting == step) {
                        waiting = null;
                        add("timeout waiting for " + step.get("for"));
                        advance();
                    }
                }), intOf(step.getOrDefault("ms", 5000L)), TimeUnit.MILLISECONDS);
                return;
            }
            if (op.equals("sleep")) {
                timers.schedule(() -> loop.execute(this::advance), intOf(step.get("ms")), TimeUnit.MILLISECONDS);
                return;
            }
            exec(step);
        }
        if (ws != null && ws.readyState() < WebSocket.CLOSING) {
            ws.onopen(null);
            ws.onmessage(null);
            ws.onerror(null);
            ws.onclose(null);
            ws.close();
        }
        synchronized (trace) {
            done.complete(List.copyOf(trace));
        }
    }

    private boolean satisfied(Map<String, Object> wait) {
        synchronized (trace) {
            return counts.getOrDefault((String) wait.get("for"), 0) >= intOf(wait.getOrDefault("count", 1L));
        }
    }

    private void add(String line) {
        synchronized (trace) {
            trace.add(line);
        }
    }

    private void onEvent(Event e) {
        StringBuilder line = new StringBuilder(e.type()).append(" rs=").append(ws.readyState());
        if (e instanceof MessageEvent m) {
            line.append(' ').append(describe(m.data()));
        }
        if (e instanceof CloseEvent c) {
            line.append(" code=").append(c.code()).append(" reason=").append(Json.write(c.reason())).append(" clean=").append(c.wasClean());
        }
        synchronized (trace) {
            trace.add(line.toString());
            counts.merge(e.type(), 1, Integer::sum);
        }
        handlers.getOrDefault(e.type(), List.of()).forEach(this::exec);
        if (waiting != null && satisfied(waiting)) {
            waiting = null;
            advance();
        }
    }

    static String describe(Object data) {
        if (data instanceof String s) {
            return "text " + Json.write(s.length() > 64 ? s.substring(0, 64) + "…" : s);
        }
        if (data instanceof ByteBuffer b) {
            byte[] bytes = Payloads.bytes(b);
            byte[] head = java.util.Arrays.copyOf(bytes, Math.min(16, bytes.length));
            return "arraybuffer " + bytes.length + " " + HexFormat.of().formatHex(head);
        }
        if (data instanceof Blob blob) {
            return "blob " + blob.size();
        }
        return "unknown " + data;
    }

    @SuppressWarnings("unchecked")
    private void exec(Map<String, Object> step) {
        String op = (String) step.get("op");
        if (ws == null && !op.equals("new") && !op.equals("on")) {
            add(op + ": throw TypeError");   // as in the page, where ws is still null
            return;
        }
        try {
            switch (op) {
                case "new" -> {
                    String url = expand((String) step.get("url"));
                    List<String> protocols = step.containsKey("protocols")
                            ? ((List<String>) step.get("protocols")).stream().map(this::expand).toList() : List.of();
                    // As in the page, where the handlers are set in the task that made the socket.
                    ws = WebSocket.connect(url, protocols, WebSocketOptions.builder().executor(loop).build(), socket -> {
                        socket.onopen(this::onEvent);
                        socket.onmessage(this::onEvent);
                        socket.onerror(this::onEvent);
                        socket.onclose(this::onEvent);
                    });
                }
                case "send" -> {
                    if (step.containsKey("text")) {
                        ws.send((String) step.get("text"));
                    } else if (step.containsKey("textCodes")) {
                        ws.send(codes(step.get("textCodes")));
                    } else if (step.containsKey("binary")) {
                        ws.send(bytes(step.get("binary")));
                    } else if (step.containsKey("view")) {
                        byte[] b = bytes(step.get("view"));
                        ByteBuffer larger = ByteBuffer.allocate(b.length + 6);
                        larger.position(3);
                        larger.put(b);
                        ws.send(larger.position(3).limit(3 + b.length));
                    } else if (step.containsKey("blob")) {
                        ws.send(Blob.of(bytes(step.get("blob"))));
                    }
                }
                case "close" -> {
                    List<Object> args = (List<Object>) step.getOrDefault("args", List.of());
                    if (args.isEmpty()) {
                        ws.close();
                    } else if (args.size() == 1) {
                        ws.close(intOf(args.get(0)));
                    } else {
                        ws.close(intOf(args.get(0)), args.get(1) instanceof List<?> l ? codes(l) : (String) args.get(1));
                    }
                }
                case "binaryType" -> ws.binaryType(BinaryType.valueOf(((String) step.get("value")).toUpperCase()));
                case "record" -> {
                    for (String what : (List<String>) step.get("what")) {
                        add(what + "=" + switch (what) {
                            case "readyState" -> String.valueOf(ws.readyState());
                            case "bufferedAmount" -> String.valueOf(ws.bufferedAmount());
                            case "protocol" -> Json.write(ws.protocol());
                            case "extensions" -> Json.write(ws.extensions());
                            case "url" -> Json.write(ws.url());
                            case "binaryType" -> Json.write(ws.binaryType().name().toLowerCase());
                            default -> "unknown";
                        });
                    }
                }
                case "on" -> handlers.computeIfAbsent((String) step.get("event"), k -> new ArrayList<>())
                        .addAll((List<Map<String, Object>>) step.get("do"));
                default -> add("unknown step " + op);
            }
        } catch (DOMException e) {
            add(op + ": throw " + e.name());
        } catch (RuntimeException e) {
            add(op + ": throw " + e.getClass().getSimpleName());
        }
    }

    private String expand(String s) {
        Matcher m = VAR.matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            Object v = vars.get(m.group(1));
            m.appendReplacement(b, Matcher.quoteReplacement(v == null ? m.group() : String.valueOf(v)));
        }
        m.appendTail(b);
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static byte[] bytes(Object list) {
        List<Object> l = (List<Object>) list;
        byte[] out = new byte[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) intOf(l.get(i));
        }
        return out;
    }

    /** A string from UTF-16 code units, so a scenario can hold a lone surrogate. */
    private static String codes(Object list) {
        StringBuilder b = new StringBuilder();
        for (Object o : (List<?>) list) {
            b.append((char) intOf(o));
        }
        return b.toString();
    }

    static int intOf(Object o) {
        return ((Number) o).intValue();
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
