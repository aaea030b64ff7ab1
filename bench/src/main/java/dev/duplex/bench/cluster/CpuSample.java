package dev.duplex.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine's CPU time from /proc/stat and the benchmark's own processes' from
 * /proc/PID/stat, so a run can say how busy the machine was with other work while it measured.
 */
record CpuSample(long totalTicks, long idleTicks, long ownTicks) {

    static CpuSample take(List<Long> pids) throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < cpu.length && i <= 8; i++) {
            total += Long.parseLong(cpu[i]);
        }
        long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
        long own = 0;
        for (long pid : pids) {
            own += processTicks(pid);
        }
        return new CpuSample(total, idle, own);
    }

    /** utime + stime + the children's, of one process (0 if it is gone). */
    private static long processTicks(long pid) throws IOException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (!Files.exists(stat)) {
            return 0;
        }
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        // fields after the command: state(0) ... utime(11) stime(12) cutime(13) cstime(14)
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    /** Of the machine's capacity between {@code before} and this sample: [busy, busy with our processes]. */
    double[] since(CpuSample before) {
        double total = totalTicks - before.totalTicks;
        double busy = total - (idleTicks - before.idleTicks);
        double own = ownTicks - before.ownTicks;
        return new double[] {busy / total, Math.min(own, busy) / total};
    }
}
