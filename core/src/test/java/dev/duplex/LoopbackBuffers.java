package dev.duplex;

import java.io.BufferedReader;
import java.io.FileReader;
import java.io.IOException;

/** What the kernel may buffer on one loopback TCP connection: both socket buffers at their largest. */
final class LoopbackBuffers {
    private LoopbackBuffers() {}

    static long loopbackBufferBytes() throws IOException {
        return maxBuffer("tcp_rmem") + maxBuffer("tcp_wmem");
    }

    private static long maxBuffer(String sysctl) throws IOException {
        // read as a stream: /proc files report a size of 0
        try (BufferedReader in = new BufferedReader(new FileReader("/proc/sys/net/ipv4/" + sysctl))) {
            String[] values = in.readLine().trim().split("\\s+");
            return Long.parseLong(values[2]);
        }
    }
}
