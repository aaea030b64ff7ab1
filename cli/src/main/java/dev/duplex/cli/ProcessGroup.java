package dev.duplex.cli;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes of one process group, found through {@code /proc}, and signals to all of them.
 * Java cannot call {@code kill(-pgid)}, so the group is listed and each member signalled with
 * {@link ProcessHandle} (SIGTERM for {@code destroy}, SIGKILL for {@code destroyForcibly}).
 *
 * <p>Members are forked after their group's leader, so their PIDs are higher unless the PID
 * counter wrapped around since: only those are read (about 15 µs each), all of them after a
 * wrap. A group listed while a member forks may miss the new child; callers list again after
 * signalling until the group is empty.
 */
final class ProcessGroup {
    private static final File PROC = new File("/proc");

    private final long pgid;

    ProcessGroup(long pgid) {
        this.pgid = pgid;
    }

    /** Whether /proc is there to read (Linux); without it only the leader can be signalled. */
    static boolean supported() {
        return new File("/proc/self/stat").canRead();
    }

    /** The PIDs currently in the group (the leader too, if alive). */
    List<Long> members() {
        List<Long> out = new ArrayList<>();
        String[] names = PROC.list();
        if (names == null) {
            return out;
        }
        boolean wrapped = lastPid() < pgid;
        byte[] buf = new byte[512];
        for (String name : names) {
            long pid = parsePid(name);
            if (pid < 0 || (pid < pgid && !wrapped)) {
                continue;
            }
            if (groupOf(pid, buf) == pgid) {
                out.add(pid);
            }
        }
        return out;
    }

    /** Sends SIGTERM (or SIGKILL if {@code kill}) to every member; returns how many there were. */
    int signal(boolean kill) {
        List<Long> pids = members();
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(h -> {
                if (kill) {
                    h.destroyForcibly();
                } else {
                    h.destroy();
                }
            });
        }
        return pids.size();
    }

    // Field 5 of /proc/PID/stat, after "pid (comm) state ppid"; comm may hold spaces and parentheses.
    private static long groupOf(long pid, byte[] buf) {
        int n;
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
            n = in.read(buf);
        } catch (IOException e) {
            return -1;      // gone meanwhile
        }
        if (n <= 0) {
            return -1;
        }
        String stat = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return -1;
        }
        String[] fields = stat.substring(close + 2).split(" ", 4);
        if (fields.length < 3 || fields[0].equals("Z")) {
            return -1;      // a zombie is dead already; only its parent can reap it
        }
        return parsePid(fields[2]);
    }

    private static long lastPid() {
        try (FileInputStream in = new FileInputStream("/proc/sys/kernel/ns_last_pid")) {
            return parsePid(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException e) {
            return 0;       // unknown: read every process
        }
    }

    private static long parsePid(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
