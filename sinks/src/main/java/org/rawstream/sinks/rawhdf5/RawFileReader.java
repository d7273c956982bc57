package org.rawstream.sinks.rawhdf5;

import io.jhdf.AbstractNode;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.object.message.DataLayoutMessage;
import io.jhdf.storage.HdfBackingStorage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a raw-HDF5 file in pure Java (jhdf): metadata, message count, messages and
 * {@code io_groups} by range or mask. Ranges are half-open {@code [start, end)}; negative indices
 * count from the end and out-of-range bounds are clamped, like Python slices in the reference
 * reader. Not thread-safe.
 */
public final class RawFileReader implements AutoCloseable {

    /** Rows read per jhdf call, to bound the temporary arrays. */
    private static final int BLOCK_ROWS = 64 * 1024;

    private final Path path;
    private final HdfFile hdf;
    private final Dataset msgs;
    private final Dataset headers;
    private final RawFileMetadata metadata;

    private RawFileReader(Path path, HdfFile hdf) throws IOException {
        this.path = path;
        this.hdf = hdf;
        this.msgs = dataset("/msgs");
        this.headers = dataset("/msg_headers");
        this.metadata = readMetadata();
    }

    public static RawFileReader open(Path file) throws IOException {
        return open(file, null, null);
    }

    /**
     * Opens the file and checks the requested versions (null = not checked): majors equal and the
     * file's minor at least the requested one.
     */
    public static RawFileReader open(Path file, String requestedVersion, String requestedIoVersion) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a regular file");
        }
        HdfFile hdf;
        try {
            hdf = openHdf(file);
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a readable HDF5 file: " + e.getMessage(), e);
        }
        boolean ok = false;
        try {
            RawFileReader reader = new RawFileReader(file, hdf);
            RawFileMetadata m = reader.metadata;
            RawFileVersion.checkRead(file.toString(), m.version(), requestedVersion, m.ioVersion(), requestedIoVersion);
            ok = true;
            return reader;
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a readable raw-HDF5 file: " + e.getMessage(), e);
        } finally {
            if (!ok) {
                hdf.close();
            }
        }
    }

    /**
     * jhdf over a file channel allocates a heap buffer of whatever length a structure in the file
     * claims (an object header, a heap) before reading it, so a damaged or crafted file of a few KB
     * can make it allocate megabytes to gigabytes (found by fuzzing). Over a buffer it slices
     * instead, and a claim past the end fails without allocating: so files up to 2 GiB are read
     * through a read-only mapping, which costs no heap. Larger files (a buffer's limit) go through
     * the channel.
     */
    private static HdfFile openHdf(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size <= Integer.MAX_VALUE) {
                return HdfFile.fromByteBuffer(channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
            }
        }
        return new HdfFile(file);
    }

    public RawFileMetadata metadata() {
        return metadata;
    }

    /** Number of messages; fails if {@code msgs} and {@code msg_headers} differ in length. */
    public long count() throws IOException {
        long n = rows(msgs);
        long h = rows(headers);
        if (n != h) {
            throw new IOException(path + ": corrupt raw file: msgs has " + n + " rows but msg_headers has " + h);
        }
        return n;
    }

    /** Messages {@code [start, end)}; negative indices count from the end. */
    public List<byte[]> messages(long start, long end) throws IOException {
        long[] r = range(start, end);
        List<byte[]> out = new ArrayList<>((int) Math.min(r[1] - r[0], BLOCK_ROWS));
        for (long s = r[0]; s < r[1]; s += BLOCK_ROWS) {
            int n = (int) Math.min(BLOCK_ROWS, r[1] - s);
            Object[] rows = (Object[]) read(msgs, s, n);
            for (Object row : rows) {
                out.add(toBytes(row));
            }
        }
        return out;
    }

    /** {@code io_groups} of messages {@code [start, end)}; negative indices count from the end. */
    public int[] ioGroups(long start, long end) throws IOException {
        long[] r = range(start, end);
        int[] out = new int[Math.toIntExact(r[1] - r[0])];
        for (long s = r[0]; s < r[1]; s += BLOCK_ROWS) {
            int n = (int) Math.min(BLOCK_ROWS, r[1] - s);
            int[] block = ioGroupBlock(s, n);
            System.arraycopy(block, 0, out, (int) (s - r[0]), n);
        }
        return out;
    }

    /** Messages where {@code mask} is true; the mask must have one entry per message. */
    public List<byte[]> messages(boolean[] mask) throws IOException {
        long[] span = maskSpan(mask);
        List<byte[]> out = new ArrayList<>();
        for (long s = span[0]; s < span[1]; s += BLOCK_ROWS) {
            int n = (int) Math.min(BLOCK_ROWS, span[1] - s);
            Object[] rows = (Object[]) read(msgs, s, n);
            for (int i = 0; i < n; i++) {
                if (mask[(int) s + i]) {
                    out.add(toBytes(rows[i]));
                }
            }
        }
        return out;
    }

    /** {@code io_groups} where {@code mask} is true; the mask must have one entry per message. */
    public int[] ioGroups(boolean[] mask) throws IOException {
        long[] span = maskSpan(mask);
        int[] out = new int[span[2] < 0 ? 0 : (int) span[2]];
        int k = 0;
        for (long s = span[0]; s < span[1]; s += BLOCK_ROWS) {
            int n = (int) Math.min(BLOCK_ROWS, span[1] - s);
            int[] block = ioGroupBlock(s, n);
            for (int i = 0; i < n; i++) {
                if (mask[(int) s + i]) {
                    out[k++] = block[i];
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        hdf.close();
    }

    // ---- internals ----

    private long[] range(long start, long end) throws IOException {
        long n = count();
        long s = start < 0 ? Math.max(0, n + start) : Math.min(start, n);
        long e = end < 0 ? Math.max(0, n + end) : Math.min(end, n);
        return new long[] {s, Math.max(s, e)};
    }

    /** {first true, last true + 1, number of trues}. */
    private long[] maskSpan(boolean[] mask) throws IOException {
        long n = count();
        if (mask.length != n) {
            throw new IllegalArgumentException("mask has " + mask.length + " entries but the file has " + n + " messages");
        }
        int first = -1;
        int last = -1;
        int trues = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                if (first < 0) {
                    first = i;
                }
                last = i;
                trues++;
            }
        }
        return first < 0 ? new long[] {0, 0, 0} : new long[] {first, last + 1L, trues};
    }

    private int[] ioGroupBlock(long start, int n) throws IOException {
        Object data = read(headers, start, n);
        Object field = data instanceof Map<?, ?> map ? map.get("io_groups") : null;
        if (field == null) {
            throw new IOException(path + ": msg_headers has no io_groups field");
        }
        return toInts(field, n);
    }

    private Object read(Dataset ds, long start, int n) throws IOException {
        try {
            return ds.getData(new long[] {start}, new int[] {n});
        } catch (RuntimeException e) {
            throw new IOException(path + ": cannot read " + ds.getPath() + " rows [" + start + ", " + (start + n) + "): "
                    + e.getMessage(), e);
        }
    }

    private long rows(Dataset ds) throws IOException {
        long[] dims = ds.getDimensionsAsLong();
        if (dims.length != 1) {
            throw new IOException(path + ": corrupt raw file: " + ds.getPath() + " has rank " + dims.length);
        }
        return dims[0];
    }

    private Dataset dataset(String name) throws IOException {
        Node node = hdf.getByPath(name);
        if (!(node instanceof Dataset ds)) {
            throw new IOException(path + ": not a raw-HDF5 file: " + name + " is not a dataset");
        }
        checkChunkIndexClaim(name, node);
        return ds;
    }

    /**
     * jhdf sizes the chunk list of an extensible-array chunk index (how libhdf5 indexes a dataset
     * with one unlimited dimension, as {@code /msgs} and {@code /msg_headers} are) by the "max index
     * set" its header claims, before any checksum is checked: a damaged header made it allocate
     * 640 MB for a 12 KB file (found by fuzzing). A file cannot index more chunks than it has
     * bytes, so a larger claim is refused here, before jhdf reads the index.
     */
    private void checkChunkIndexClaim(String name, Node node) throws IOException {
        if (!(node instanceof AbstractNode n)
                || !n.getHeader().hasMessageOfType(DataLayoutMessage.ChunkedDataLayoutMessageV4.class)) {
            return;
        }
        DataLayoutMessage.ChunkedDataLayoutMessageV4 layout =
                n.getHeader().getMessageOfType(DataLayoutMessage.ChunkedDataLayoutMessageV4.class);
        if (layout.getIndexingType() != DataLayoutMessage.ChunkedDataLayoutMessageV4.EXTENSIBLE_ARRAY_INDEX) {
            return;
        }
        HdfBackingStorage storage = hdf.getHdfBackingStorage();
        long fileBytes = storage.size();
        int lengths = storage.getSizeOfLengths();
        if (layout.getAddress() < 0 || layout.getAddress() + 12 + 6L * lengths > fileBytes) {
            return; // no index yet (undefined address: nothing written), or one jhdf reports itself
        }
        // Header: signature, version, client id and six one-byte parameters (12 bytes), then six
        // lengths: secondary blocks, their size, data blocks, their size, max index set, elements.
        ByteBuffer header = storage.readBufferFromAddress(layout.getAddress(), 12 + 6 * lengths)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int field = 4; field <= 5; field++) {
            long claimed = 0;
            for (int i = lengths - 1; i >= 0; i--) {
                claimed = (claimed << 8) | (header.get(12 + field * lengths + i) & 0xFF);
            }
            if (claimed < 0 || claimed > fileBytes) {
                throw new IOException(path + ": not a readable raw-HDF5 file: the chunk index of " + name
                        + " claims " + Long.toUnsignedString(claimed) + " chunks in a file of " + fileBytes + " bytes");
            }
        }
    }

    private RawFileMetadata readMetadata() throws IOException {
        Node meta = hdf.getByPath("/meta");
        Map<String, Attribute> attrs = meta.getAttributes();
        String version = stringAttribute(attrs, "version", true);
        String ioVersion = stringAttribute(attrs, "io_version", false);
        Map<String, Object> others = new TreeMap<>();
        for (Map.Entry<String, Attribute> e : attrs.entrySet()) {
            String name = e.getKey();
            if (!name.equals("version") && !name.equals("io_version") && !name.equals("created")
                    && !name.equals("modified")) {
                others.put(name, e.getValue().getData());
            }
        }
        return new RawFileMetadata(version, ioVersion, doubleAttribute(attrs, "created"),
                doubleAttribute(attrs, "modified"), others);
    }

    private String stringAttribute(Map<String, Attribute> attrs, String name, boolean required) throws IOException {
        Attribute a = attrs.get(name);
        if (a == null) {
            if (required) {
                throw new IOException(path + ": not a raw-HDF5 file: /meta has no '" + name + "' attribute");
            }
            return null;
        }
        Object v = a.getData();
        if (!(v instanceof String s)) {
            throw new IOException(path + ": /meta/" + name + " is not a scalar string");
        }
        return s;
    }

    private static double doubleAttribute(Map<String, Attribute> attrs, String name) {
        Attribute a = attrs.get(name);
        return a != null && a.getData() instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private byte[] toBytes(Object row) throws IOException {
        if (row instanceof int[] ints) {
            byte[] b = new byte[ints.length];
            for (int i = 0; i < ints.length; i++) {
                b[i] = (byte) ints[i];
            }
            return b;
        }
        if (row instanceof byte[] bytes) {
            return bytes;
        }
        if (row instanceof short[] shorts) {
            byte[] b = new byte[shorts.length];
            for (int i = 0; i < shorts.length; i++) {
                b[i] = (byte) shorts[i];
            }
            return b;
        }
        throw new IOException(path + ": msgs row of unexpected type " + (row == null ? "null" : row.getClass()));
    }

    private int[] toInts(Object field, int n) throws IOException {
        int[] out = new int[n];
        if (field instanceof int[] ints && ints.length == n) {
            for (int i = 0; i < n; i++) {
                out[i] = ints[i] & 0xFF;
            }
        } else if (field instanceof byte[] bytes && bytes.length == n) {
            for (int i = 0; i < n; i++) {
                out[i] = bytes[i] & 0xFF;
            }
        } else if (field instanceof short[] shorts && shorts.length == n) {
            for (int i = 0; i < n; i++) {
                out[i] = shorts[i] & 0xFF;
            }
        } else {
            throw new IOException(path + ": msg_headers/io_groups of unexpected type " + field.getClass());
        }
        return out;
    }
}
