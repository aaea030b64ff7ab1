package dev.duplex.bench.soak;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of the soak's programs; an unknown name is an error (exit 2). */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] args, Set<String> known) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !known.contains(a.substring(2)) || i + 1 >= args.length) {
                System.err.println("soak: bad option " + a + " (known, each with a value: --" + String.join(", --", known) + ")");
                System.exit(2);
            }
            values.put(a.substring(2), args[++i]);
        }
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    long number(String name, long fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            System.err.println("soak: --" + name + " needs a whole number, not " + v);
            System.exit(2);
            return fallback;
        }
    }

    int integer(String name, int fallback) {
        return Math.toIntExact(number(name, fallback));
    }

    boolean flag(String name, boolean fallback) {
        String v = values.get(name);
        return v == null ? fallback : v.equals("true") || v.equals("on") || v.equals("yes");
    }
}
