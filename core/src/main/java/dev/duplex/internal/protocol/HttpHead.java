package dev.duplex.internal.protocol;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, parsed HTTP/1.1 message head (RFC 9112 §2.1): the start line and the header
 * fields, without the body. Produced by {@link HttpHeadParser}.
 *
 * <p>A head is either a request ({@link #isRequest()}: {@link #method()}, {@link #target()},
 * {@link #version()}) or a response ({@link #version()}, {@link #status()},
 * {@link #reasonPhrase()}). Header names are matched case-insensitively (RFC 9110 §5.1); values
 * are kept as received, minus the optional whitespace around them, decoded as ISO-8859-1.
 */
public final class HttpHead {
    private final String startLine;
    private final boolean request;
    private final String method;
    private final String target;
    private final String version;
    private final int status;
    private final String reasonPhrase;
    // The header lines as received, in order: names[i] (spelled as received) and values[i].
    // Lookups scan them, ignoring case: a head has a few dozen lines at most (the parser's
    // limit), and a scan allocates nothing where a map per head cost kilobytes per handshake.
    private final String[] names;
    private final String[] values;
    private final int count;
    private volatile Headers headers; // the map view, built when first asked for

    private HttpHead(String startLine, boolean request, String method, String target,
            String version, int status, String reasonPhrase, String[] names, String[] values,
            int count) {
        this.startLine = startLine;
        this.request = request;
        this.method = method;
        this.target = target;
        this.version = version;
        this.status = status;
        this.reasonPhrase = reasonPhrase;
        this.names = names;
        this.values = values;
        this.count = count;
    }

    /**
     * A request head; the first {@code count} entries of {@code names} and {@code values} are
     * the header lines in the order received. The arrays are kept, not copied.
     */
    static HttpHead request(String startLine, String method, String target, String version,
            String[] names, String[] values, int count) {
        return new HttpHead(startLine, true, method, target, version, 0, null, names, values,
                count);
    }

    /** A response head; the header lines as in {@link #request}. */
    static HttpHead response(String startLine, String version, int status, String reasonPhrase,
            String[] names, String[] values, int count) {
        return new HttpHead(startLine, false, null, null, version, status, reasonPhrase, names,
                values, count);
    }

    /** The start line as received, without its line ending. */
    public String startLine() {
        return startLine;
    }

    /** True for a request head, false for a response head. */
    public boolean isRequest() {
        return request;
    }

    /** The request method, e.g. {@code "GET"}; null for a response. */
    public String method() {
        return method;
    }

    /** The raw request target, e.g. {@code "/chat?room=1"}; null for a response. */
    public String target() {
        return target;
    }

    /** The HTTP version, e.g. {@code "HTTP/1.1"}. */
    public String version() {
        return version;
    }

    /** The response status code, e.g. 101; 0 for a request. */
    public int status() {
        return status;
    }

    /** The response reason phrase (possibly empty), e.g. {@code "Switching Protocols"}; null for a request. */
    public String reasonPhrase() {
        return reasonPhrase;
    }

    /**
     * All values of the header {@code name} (case-insensitive), in the order received; an empty
     * list if absent. Each header line gives one value; values are not split at commas.
     */
    public List<String> headers(String name) {
        int first = indexOf(name, 0);
        if (first < 0) {
            return List.of();
        }
        int next = indexOf(name, first + 1);
        if (next < 0) {
            return List.of(values[first]);
        }
        List<String> all = new ArrayList<>();
        for (int i = first; i >= 0; i = indexOf(name, i + 1)) {
            all.add(values[i]);
        }
        return Collections.unmodifiableList(all);
    }

    /** The first value of the header {@code name} (case-insensitive), or null if absent. */
    public String header(String name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : values[i];
    }

    /**
     * All headers: an unmodifiable map whose lookups ignore the case of the name, iterating in
     * the order the names first appeared, with each name spelled as it first appeared.
     */
    public Map<String, List<String>> headers() {
        Headers view = headers;
        if (view == null) {
            view = new Headers(names, values, count);
            headers = view;
        }
        return view;
    }

    /**
     * True if any comma-separated element of any value of header {@code headerName} equals
     * {@code token}, ignoring case and surrounding whitespace; e.g. {@code Connection:
     * keep-alive, Upgrade} has the token {@code "upgrade"}.
     */
    public boolean hasToken(String headerName, String token) {
        Objects.requireNonNull(token, "token");
        if (token.isEmpty()) {
            return false;   // empty elements are not elements (RFC 9110 §5.6.1)
        }
        for (int i = indexOf(headerName, 0); i >= 0; i = indexOf(headerName, i + 1)) {
            String value = values[i];
            for (int from = 0; from <= value.length(); ) {
                int end = elementEnd(value, from);
                if (trimmedEqualsIgnoreCase(value, from, end, token)) {
                    return true;
                }
                from = end + 1;
            }
        }
        return false;
    }

    /** True if {@code value[from, to)}, without optional whitespace around it, is {@code token}. */
    private static boolean trimmedEqualsIgnoreCase(String value, int from, int to, String token) {
        while (from < to && isOws(value.charAt(from))) {
            from++;
        }
        while (to > from && isOws(value.charAt(to - 1))) {
            to--;
        }
        return to - from == token.length() && value.regionMatches(true, from, token, 0, to - from);
    }

    /** The index of the first header line at or after {@code from} named {@code name}, or -1. */
    private int indexOf(String name, int from) {
        for (int i = from; i < count; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The head as it would be written, with CRLF line endings, for logging and debugging. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(startLine).append("\r\n");
        for (Map.Entry<String, List<String>> e : headers().entrySet()) {
            for (String value : e.getValue()) {
                sb.append(e.getKey()).append(": ").append(value).append("\r\n");
            }
        }
        return sb.append("\r\n").toString();
    }

    /**
     * Splits a list-valued header value (RFC 9110 §5.6.1) at commas that are not inside a
     * quoted string, trims whitespace from each element and drops empty elements.
     */
    static List<String> listElements(String value) {
        List<String> out = new ArrayList<>(2);
        for (int from = 0; from <= value.length(); ) {
            int end = elementEnd(value, from);
            String element = trimOws(value.substring(from, end));
            if (!element.isEmpty()) {
                out.add(element);
            }
            from = end + 1;
        }
        return out;
    }

    /**
     * Where the list element starting at {@code from} ends: the index of the next comma that is
     * not inside a quoted string, or the value's length.
     */
    private static int elementEnd(String value, int from) {
        boolean quoted = false;
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++; // quoted-pair: skip the escaped character
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                return i;
            }
        }
        return value.length();
    }

    /** Removes optional whitespace (spaces and tabs, RFC 9110 §5.6.3) from both ends. */
    static String trimOws(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isOws(s.charAt(from))) {
            from++;
        }
        while (to > from && isOws(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    private static String key(Object name) {
        return name instanceof String s ? s.toLowerCase(Locale.ROOT) : null;
    }

    /** Unmodifiable, case-insensitive, insertion-ordered view of the header fields. */
    private static final class Headers extends AbstractMap<String, List<String>> {
        private final Map<String, Map.Entry<String, List<String>>> byLowerName;
        private final Set<Map.Entry<String, List<String>>> entries;

        Headers(String[] fieldNames, String[] fieldValues, int count) {
            Map<String, List<String>> names = new LinkedHashMap<>();
            Map<String, String> spelling = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String lower = key(fieldNames[i]);
                spelling.putIfAbsent(lower, fieldNames[i]);
                names.computeIfAbsent(lower, k -> new ArrayList<>(1)).add(fieldValues[i]);
            }
            Map<String, Map.Entry<String, List<String>>> map = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> e : names.entrySet()) {
                map.put(e.getKey(), new AbstractMap.SimpleImmutableEntry<>(
                        spelling.get(e.getKey()), List.copyOf(e.getValue())));
            }
            this.byLowerName = Collections.unmodifiableMap(map);
            List<Map.Entry<String, List<String>>> list = List.copyOf(map.values());
            this.entries = new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<String, List<String>>> iterator() {
                    return list.iterator();
                }

                @Override
                public int size() {
                    return list.size();
                }
            };
        }

        @Override
        public Set<Map.Entry<String, List<String>>> entrySet() {
            return entries;
        }

        @Override
        public List<String> get(Object name) {
            Map.Entry<String, List<String>> e = byLowerName.get(key(name));
            return e == null ? null : e.getValue();
        }

        @Override
        public boolean containsKey(Object name) {
            return byLowerName.containsKey(key(name));
        }

        @Override
        public int size() {
            return byLowerName.size();
        }
    }
}
