package org.rawstream.sinks.rawhdf5;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A reusable, growable batch of messages with their {@code io_groups}, appended to a raw-HDF5
 * file in one native write per dataset.
 *
 * <p>All message bytes live back to back in one direct (off-heap) buffer and each message is an
 * offset into it, so adding a message allocates nothing once the batch has grown to its working
 * size, and the writer hands libhdf5 pointers straight into that buffer: each message is copied
 * once, here, and never again on the Java side. The buffer is freed by the garbage collector like
 * any direct buffer; it counts against {@code -XX:MaxDirectMemorySize} (in Flink: off-heap
 * memory). Not thread-safe. A batch holds at most {@link #MAX_PAYLOAD_BYTES} bytes of messages.
 */
public final class MessageBatch {

    /** Largest payload one batch can hold (the bytes live in one buffer). */
    public static final int MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 16;

    private ByteBuffer data; // direct
    private int[] offsets; // offsets[i] = start of message i, offsets[size] = end of the last one
    private byte[] ioGroups;
    private int size;

    public MessageBatch() {
        this(64, 64 * 1024);
    }

    public MessageBatch(int expectedMessages, int expectedPayloadBytes) {
        if (expectedMessages < 0 || expectedPayloadBytes < 0) {
            throw new IllegalArgumentException("negative capacity");
        }
        data = ByteBuffer.allocateDirect(Math.max(16, expectedPayloadBytes));
        offsets = new int[Math.max(16, expectedMessages) + 1];
        ioGroups = new byte[Math.max(16, expectedMessages)];
    }

    public void add(byte[] msg, int ioGroup) {
        add(msg, 0, msg.length, ioGroup);
    }

    public void add(byte[] msg, int off, int len, int ioGroup) {
        Objects.checkFromIndexSize(off, len, msg.length);
        int start = reserve(len, ioGroup);
        data.put(start, msg, off, len);
        commit(len, ioGroup);
    }

    /** Copies the buffer's remaining bytes; the buffer's position is left unchanged. */
    public void add(ByteBuffer msg, int ioGroup) {
        int len = msg.remaining();
        int start = reserve(len, ioGroup);
        data.put(start, msg, msg.position(), len);
        commit(len, ioGroup);
    }

    /**
     * Adds a message of {@code length} bytes that {@code fill} writes into the batch's own buffer
     * (positioned at the message's start, limited to its end): a producer that encodes its bytes
     * on demand is copied once, straight into the batch. {@code fill} must write exactly
     * {@code length} bytes; otherwise nothing is added and IllegalStateException is thrown.
     */
    public void add(int length, int ioGroup, Consumer<ByteBuffer> fill) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        int start = reserve(length, ioGroup);
        ByteBuffer window = data.duplicate();
        window.limit(start + length).position(start);
        fill.accept(window);
        if (window.position() != start + length) {
            throw new IllegalStateException("message wrote " + (window.position() - start) + " of its " + length + " bytes");
        }
        commit(length, ioGroup);
    }

    public int size() {
        return size;
    }

    public long payloadBytes() {
        return offsets[size];
    }

    public void clear() {
        size = 0;
        offsets[0] = 0;
    }

    /** Length in bytes of message {@code i}. */
    public int length(int i) {
        Objects.checkIndex(i, size);
        return offsets[i + 1] - offsets[i];
    }

    /** The {@code io_groups} value (0..255) of message {@code i}. */
    public int ioGroup(int i) {
        Objects.checkIndex(i, size);
        return ioGroups[i] & 0xFF;
    }

    /** A copy of message {@code i}. */
    public byte[] message(int i) {
        Objects.checkIndex(i, size);
        byte[] copy = new byte[offsets[i + 1] - offsets[i]];
        data.get(offsets[i], copy);
        return copy;
    }

    // Views for the writer: valid until the next add/clear.
    /** The direct buffer holding the messages back to back (its content, not its position, matters). */
    ByteBuffer data() {
        return data;
    }

    int offset(int i) {
        return offsets[i];
    }

    byte[] ioGroupArray() {
        return ioGroups;
    }

    private int reserve(int len, int ioGroup) {
        if (ioGroup < 0 || ioGroup > 255) {
            throw new IllegalArgumentException("ioGroup must be 0..255, was " + ioGroup);
        }
        int end = offsets[size];
        if ((long) end + len > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException(
                    "batch payload would exceed " + MAX_PAYLOAD_BYTES + " bytes; append and clear it first");
        }
        if (end + len > data.capacity()) {
            long grown = Math.max((long) end + len, (long) data.capacity() * 2);
            ByteBuffer bigger = ByteBuffer.allocateDirect((int) Math.min(grown, MAX_PAYLOAD_BYTES));
            bigger.put(0, data, 0, end);
            data = bigger;
        }
        if (size + 1 >= offsets.length) {
            int grown = (int) Math.min((long) offsets.length * 2, Integer.MAX_VALUE - 16);
            offsets = Arrays.copyOf(offsets, grown);
            ioGroups = Arrays.copyOf(ioGroups, grown);
        }
        return end;
    }

    private void commit(int len, int ioGroup) {
        ioGroups[size] = (byte) ioGroup;
        offsets[size + 1] = offsets[size] + len;
        size++;
    }
}
