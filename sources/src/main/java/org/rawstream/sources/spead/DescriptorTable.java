package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The latest descriptor of each item id of one stream; serialised as the raw descriptor packets. */
public final class DescriptorTable {

    /** Most item ids remembered per stream (a bound on memory, far above real streams). */
    public static final int MAX_DESCRIPTORS = 4096;

    private final Map<Long, SpeadDescriptor> byId = new LinkedHashMap<>();
    private final Map<Long, byte[]> rawById = new LinkedHashMap<>();

    /** Takes the heap's descriptors; returns {valid, invalid} counts. */
    public int[] update(ReceivedHeap heap) {
        int valid = 0;
        int invalid = 0;
        for (SpeadItem item : heap.descriptorItems()) {
            SpeadDescriptor d = decode(item);
            if (d == null) {
                invalid++;
                continue;
            }
            valid++;
            if (byId.size() >= MAX_DESCRIPTORS && !byId.containsKey(d.id())) {
                continue;
            }
            byId.put(d.id(), d);
            rawById.put(d.id(), item.bytes());
        }
        return new int[] {valid, invalid};
    }

    /** The descriptor a descriptor item holds, or null when it is cut or malformed. */
    public static SpeadDescriptor decode(SpeadItem item) {
        if (!item.fullyReceived()) {
            return null;
        }
        ByteBuffer v = item.value();
        try {
            return SpeadDescriptor.decode(v, v.position(), v.remaining());
        } catch (RuntimeException e) {
            return null;
        }
    }

    public SpeadDescriptor get(long id) {
        return byId.get(id);
    }

    public Collection<SpeadDescriptor> all() {
        return Collections.unmodifiableCollection(byId.values());
    }

    public int size() {
        return byId.size();
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(rawById.size());
        for (byte[] raw : rawById.values()) {
            out.writeInt(raw.length);
            out.write(raw);
        }
    }

    public static DescriptorTable readFrom(DataInput in) throws IOException {
        DescriptorTable t = new DescriptorTable();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            byte[] raw = new byte[in.readInt()];
            in.readFully(raw);
            SpeadDescriptor d = SpeadDescriptor.decode(ByteBuffer.wrap(raw), 0, raw.length);
            if (d != null) {
                t.byId.put(d.id(), d);
                t.rawById.put(d.id(), raw);
            }
        }
        return t;
    }
}
