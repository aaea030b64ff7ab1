package dev.duplex.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;

/** A {@link Connection} wired to a {@link RecordingListener} and a {@link RecordingOutput}. */
final class Endpoint {
    final Connection.Role role;
    final RecordingListener events = new RecordingListener();
    final RecordingOutput out = new RecordingOutput();
    final Connection conn;

    Endpoint(Connection.Role role, long maxMessageSize, long maxFrameSize, SecureRandom random) {
        this.role = role;
        MaskKeySource keys = random != null ? MaskKeySource.of(random)
                : role == Connection.Role.CLIENT ? MaskKeySource.keystream(new SecureRandom()) : null;
        this.conn = new Connection(role, maxMessageSize, maxFrameSize, keys, events, out);
    }

    Endpoint(Connection.Role role, long maxMessageSize, long maxFrameSize) {
        this(role, maxMessageSize, maxFrameSize, null);
    }

    static Endpoint server() {
        return new Endpoint(Connection.Role.SERVER, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    static Endpoint client() {
        return new Endpoint(Connection.Role.CLIENT, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    static Endpoint of(Connection.Role role) {
        return role == Connection.Role.SERVER ? server() : client();
    }

    /** A frame as the peer of this endpoint would send it: masked when we are the server. */
    byte[] incoming(boolean fin, int rsv, int opcode, byte[] payload) {
        return Wire.frame(fin, rsv, opcode, payload, role == Connection.Role.SERVER ? Wire.KEY : null);
    }

    byte[] incoming(int opcode, byte[] payload) {
        return incoming(true, 0, opcode, payload);
    }

    /** Feeds all bytes in one call and checks they were all consumed. */
    Endpoint receive(byte[]... parts) {
        ByteBuffer in = ByteBuffer.wrap(Wire.concat(parts));
        conn.receive(in);
        assertThat(in.hasRemaining()).as("receive consumes everything").isFalse();
        return this;
    }

    Endpoint receiveByteByByte(byte[] bytes) {
        for (byte b : bytes) {
            receive(new byte[] {b});
        }
        return this;
    }

    List<Wire.Parsed> frames() {
        return out.frames();
    }

    Wire.Parsed lastFrame() {
        List<Wire.Parsed> f = out.frames();
        assertThat(f).as("frames written").isNotEmpty();
        return f.get(f.size() - 1);
    }

    /** Checks that the frame was masked exactly when this endpoint is a client. */
    void assertMaskedByRole(Wire.Parsed f) {
        assertThat(f.masked()).as("masked").isEqualTo(role == Connection.Role.CLIENT);
        assertThat(f.fin()).as("fin").isTrue();
        assertThat(f.rsv()).as("rsv").isZero();
    }
}
