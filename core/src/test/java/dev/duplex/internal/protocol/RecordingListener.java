package dev.duplex.internal.protocol;

import java.util.ArrayList;
import java.util.List;

/** Records every {@link Connection.Listener} call as a readable string, in order. */
final class RecordingListener implements Connection.Listener {
    final List<String> events = new ArrayList<>();
    final List<ProtocolException> errors = new ArrayList<>();
    final List<byte[]> binaries = new ArrayList<>();
    final List<String> texts = new ArrayList<>();
    /** What a held violation ({@link Connection#holdCloseAfterViolation}) is handed to. */
    java.util.function.Consumer<ProtocolException> onViolation = e -> {
        throw new AssertionError("unexpected held violation", e);
    };

    @Override
    public void onText(String text) {
        texts.add(text);
        events.add("text " + text);
    }

    @Override
    public void onBinary(byte[] data) {
        binaries.add(data);
        events.add("binary " + Wire.hex(data));
    }

    @Override
    public void onPing(byte[] payload) {
        events.add("ping " + Wire.hex(payload));
    }

    @Override
    public void onPong(byte[] payload) {
        events.add("pong " + Wire.hex(payload));
    }

    @Override
    public void onCloseFrame(int code, String reason) {
        events.add("close " + code + " " + reason);
    }

    @Override
    public void onViolation(ProtocolException e) {
        onViolation.accept(e);
    }

    @Override
    public void onProtocolError(ProtocolException e) {
        errors.add(e);
        events.add("error " + e.closeCode());
    }
}
