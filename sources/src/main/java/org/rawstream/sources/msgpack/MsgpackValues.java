package org.rawstream.sources.msgpack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/**
 * Decoding of values that already passed the {@link MsgpackScanner} pre-scan, with msgpack-core.
 * Only pre-scanned bytes may be given to msgpack-core: the scan is what bounds its allocations
 * (declared lengths) and its recursion (nesting depth).
 */
public final class MsgpackValues {
    private MsgpackValues() {
    }

    /**
     * Decodes exactly one pre-scanned value (position to limit; the buffer is not moved).
     *
     * @throws IllegalArgumentException when the bytes are not exactly one value
     */
    public static Value decode(ByteBuffer scannedValue) {
        // msgpack-core reads direct buffers through JDK internals (sun.nio.ch), closed on Java 17
        // without --add-opens: give it an array (the scan bounded the value's size).
        byte[] array = scannedValue.hasArray() ? scannedValue.array() : copy(scannedValue);
        int offset = scannedValue.hasArray() ? scannedValue.arrayOffset() + scannedValue.position() : 0;
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(array, offset, scannedValue.remaining())) {
            Value value = unpacker.unpackValue();
            if (unpacker.hasNext()) {
                throw new IllegalArgumentException("bytes after the value");
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of the value's exact bytes (position to limit; the buffer is not moved): what RawStream stores. */
    public static byte[] copy(ByteBuffer value) {
        byte[] bytes = new byte[value.remaining()];
        value.get(value.position(), bytes);
        return bytes;
    }
}
