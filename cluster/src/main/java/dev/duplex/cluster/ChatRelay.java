package dev.duplex.cluster;

import dev.duplex.Blob;
import dev.duplex.HandshakeRequest;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * The chat that {@code duplex serve --broadcast --cluster redis://...} runs: a socket that
 * connected to {@code /room/NAME} joins room NAME and each of its messages goes to that room;
 * a socket on any other path sends cluster-wide broadcasts, which reach every socket of every
 * node (room members too). Every recipient gets every message, its sender too, on every node.
 *
 * <p>A message over {@link ClusterOptions#maxMessageSize()} closes its sender with 1009, a room
 * name over {@link ClusterOptions#maxRoomNameLength()} closes the socket with 1008: the limits
 * are the cluster's, so the client hears which one it hit.
 */
public final class ChatRelay {
    /** The path prefix that names a room. */
    public static final String ROOM_PATH = "/room/";

    private final Cluster cluster;
    private final LongAdder messages = new LongAdder();

    public ChatRelay(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Wires one new socket; call it from the server's {@code connection} handler. */
    public void attach(WebSocket socket, HandshakeRequest request) {
        Target target;
        String path = request.path();
        if (path.startsWith(ROOM_PATH) && path.length() > ROOM_PATH.length()) {
            Room room;
            try {
                room = cluster.toRoom(path.substring(ROOM_PATH.length()));
            } catch (IllegalArgumentException e) {
                socket.close(1008, "Room name too long (ClusterOptions.maxRoomNameLength)");
                return;
            }
            room.join(socket);
            target = room;
        } else {
            target = new Target() {
                @Override
                public void send(String text) {
                    cluster.broadcast(text);
                }

                @Override
                public void send(byte[] data) {
                    cluster.broadcast(data);
                }
            };
        }
        socket.onmessage(event -> relay(socket, target, ((MessageEvent) event).data()));
    }

    /** Messages relayed since this relay was made. */
    public long messages() {
        return messages.sum();
    }

    private void relay(WebSocket from, Target to, Object data) {
        messages.increment();
        try {
            if (data instanceof String) {
                to.send((String) data);
            } else if (data instanceof ByteBuffer) {
                ByteBuffer b = (ByteBuffer) data;
                byte[] bytes = new byte[b.remaining()];
                b.duplicate().get(bytes);
                to.send(bytes);
            } else {
                to.send(((Blob) data).bytes());
            }
        } catch (IllegalArgumentException tooBig) {
            from.close(1009, "Message too big for the cluster (ClusterOptions.maxMessageSize)");
        }
    }
}
