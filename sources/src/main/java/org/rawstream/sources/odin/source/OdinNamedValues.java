package org.rawstream.sources.odin.source;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rawstream.sources.odin.OdinDataValues;

/**
 * The job's side output: one data packet's values, by name (or {@code 0x<index>} while unnamed),
 * rendered as text, in schema order. Small and flat on purpose, for logging and counting; the
 * typed values are reproduced offline from the raw file, which holds every packet.
 */
public final class OdinNamedValues {

    private final int identifier;
    private final long timestamp;
    private final int sequence;
    private final String[] names;
    private final String[] values;

    public OdinNamedValues(int identifier, long timestamp, int sequence, String[] names, String[] values) {
        if (names.length != values.length) {
            throw new IllegalArgumentException("names and values differ in length");
        }
        this.identifier = identifier;
        this.timestamp = timestamp;
        this.sequence = sequence;
        this.names = names;
        this.values = values;
    }

    /** Renders a decoded data packet. */
    public static OdinNamedValues of(OdinDataValues data) {
        Map<String, Object> named = data.namedValues();
        String[] names = new String[named.size()];
        String[] values = new String[named.size()];
        int i = 0;
        for (Map.Entry<String, Object> e : named.entrySet()) {
            names[i] = e.getKey();
            values[i++] = String.valueOf(e.getValue());
        }
        return new OdinNamedValues(data.identifier(), data.timestamp(), data.sequence(), names, values);
    }

    public int identifier() {
        return identifier;
    }

    public long timestamp() {
        return timestamp;
    }

    public int sequence() {
        return sequence;
    }

    public int size() {
        return names.length;
    }

    public String name(int i) {
        return names[i];
    }

    public String value(int i) {
        return values[i];
    }

    /** Name to value text, in schema order. */
    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            map.put(names[i], values[i]);
        }
        return map;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OdinNamedValues)) {
            return false;
        }
        OdinNamedValues v = (OdinNamedValues) o;
        return identifier == v.identifier && timestamp == v.timestamp && sequence == v.sequence
                && Arrays.equals(names, v.names) && Arrays.equals(values, v.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * identifier + sequence) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "odin id=" + identifier + " seq=" + sequence + " t=" + timestamp + " " + asMap();
    }
}
