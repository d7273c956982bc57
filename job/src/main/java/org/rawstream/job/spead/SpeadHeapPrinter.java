package org.rawstream.job.spead;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sources.spead.DescriptorTable;
import org.rawstream.sources.spead.ItemValueDecoder;
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.SpeadDescriptor;
import org.rawstream.sources.spead.SpeadItem;
import org.rawstream.sources.spead.SpeadItemIds;
import org.rawstream.sources.spead.SpeadValue;
import org.rawstream.sources.spead.StoredHeapCodec;

/**
 * {@code inspect --decode}: every SPEAD heap of a raw-HDF5 file the job wrote, its items decoded
 * with the descriptors seen so far in the files listed (those of the heap itself first), as spead2's
 * {@code ItemGroup.update} presents them: name, description, type, shape and value. A message that
 * is not a stored heap, an item without a descriptor or one that does not decode is named and
 * skipped; nothing stops the listing.
 */
public final class SpeadHeapPrinter {

    /** Arrays with more elements show their first and last three only. */
    static final int SHOWN_ELEMENTS = 10;
    /** Messages read at a time: heaps may be large, so few. */
    private static final int BLOCK_MESSAGES = 8;

    private SpeadHeapPrinter() {
    }

    /**
     * Prints the heaps of {@code reader}'s file, or one line saying why it has none to decode.
     * {@code descriptors} holds those seen in the files printed before and learns this file's:
     * a sender announces them once (or now and then), so a later file of the same source
     * usually has none of its own.
     */
    public static void print(RawFileReader reader, DescriptorTable descriptors, PrintStream out) throws IOException {
        Object protocol = reader.metadata().attributes().get("protocol");
        if (!StoredHeapCodec.PROTOCOL.equals(protocol)) {
            out.println("  decode: not a SPEAD file (protocol " + protocol + "), nothing decoded");
            return;
        }
        long count = reader.count();
        for (long start = 0; start < count; start += BLOCK_MESSAGES) {
            List<byte[]> block = reader.messages(start, Math.min(count, start + BLOCK_MESSAGES));
            for (int i = 0; i < block.size(); i++) {
                StringBuilder s = new StringBuilder();
                heap(start + i, block.get(i), descriptors, s);
                out.print(s);
            }
        }
    }

    private static void heap(long index, byte[] message, DescriptorTable descriptors, StringBuilder s) {
        ReceivedHeap heap;
        try {
            heap = StoredHeapCodec.decode(message);
        } catch (IllegalArgumentException e) {
            s.append("  [").append(index).append("] not a stored SPEAD heap: ").append(e.getMessage()).append('\n');
            return;
        }
        int[] validInvalid = descriptors.update(heap);
        List<SpeadItem> items = heap.items();
        long shown = items.stream().filter(SpeadHeapPrinter::isValueItem).count();
        s.append("  [").append(index).append("] heap ").append(heap.heapCnt()).append(": ").append(shown).append(" items");
        if (validInvalid[0] + validInvalid[1] > 0) {
            s.append(", ").append(validInvalid[0]).append(" descriptors");
            if (validInvalid[1] > 0) {
                s.append(" (").append(validInvalid[1]).append(" invalid)");
            }
        }
        if (!heap.isComplete()) {
            s.append(", incomplete (").append(heap.receivedBytes()).append(" of ").append(heap.heapLength()).append(" bytes)");
        }
        long control = heap.streamControl();
        if (control >= 0) {
            s.append(", stream ").append(streamControl(control));
        }
        s.append('\n');
        for (SpeadItem item : items) {
            if (isValueItem(item)) {
                item(item, descriptors.get(item.id()), s);
            }
        }
    }

    private static boolean isValueItem(SpeadItem item) {
        return !SpeadItemIds.isPacketLevel(item.id()) && item.id() != SpeadItemIds.STREAM_CTRL;
    }

    private static void item(SpeadItem item, SpeadDescriptor d, StringBuilder s) {
        String id = "0x" + Long.toHexString(item.id());
        if (d == null) {
            s.append("    ").append(id).append(": no descriptor, ").append(item.length()).append(" bytes\n");
            return;
        }
        s.append("    ").append(d.name()).append(" (").append(id).append(')');
        if (!d.description().isEmpty()) {
            s.append(": ").append(d.description());
        }
        s.append("\n      ");
        if (!item.fullyReceived()) {
            s.append("not fully received (").append(item.length()).append(" bytes)\n");
            return;
        }
        ByteBuffer v = item.value();
        try {
            String type = type(d);
            SpeadValue value = ItemValueDecoder.decode(d, v, v.position(), v.remaining(), item.immediate());
            s.append(type).append(", shape ").append(shape(value.shape())).append(" = ")
                    .append(value.format(SHOWN_ELEMENTS)).append('\n');
        } catch (IllegalArgumentException | ArithmeticException e) {
            s.append("cannot decode ").append(item.length()).append(" bytes: ").append(e.getMessage()).append('\n');
        }
    }

    /** {@code dtype <u4} for a numpy header; {@code format u8, dtype |u1} for a SPEAD format. */
    private static String type(SpeadDescriptor d) {
        String dtype = "dtype " + d.dtype().numpyDescr();
        if (d.numpyHeader() != null) {
            return dtype;
        }
        StringBuilder f = new StringBuilder("format ");
        for (int i = 0; i < d.formatFieldCount(); i++) {
            f.append(i == 0 ? "" : ",").append(d.formatType(i)).append(d.formatBits(i));
        }
        return f.append(", ").append(dtype).toString();
    }

    /** Python's notation: {@code ()}, {@code (4096,)}, {@code (4, 2)}. */
    private static String shape(int[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return s.append(shape.length == 1 ? ",)" : ")").toString();
    }

    private static String streamControl(long value) {
        if (value == SpeadItemIds.CTRL_START) {
            return "start";
        }
        if (value == SpeadItemIds.CTRL_STOP) {
            return "stop";
        }
        if (value == SpeadItemIds.CTRL_DESCRIPTOR_REISSUE) {
            return "descriptor reissue";
        }
        return value == SpeadItemIds.CTRL_DESCRIPTOR_UPDATE ? "descriptor update" : "control " + value;
    }
}
