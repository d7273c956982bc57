package org.rawstream.sinks.rawhdf5;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Every call into libhdf5 (org.bytedeco) made by RawStream, and nothing else.
 *
 * <p>The bundled libhdf5 is not built thread-safe, so every call runs under one JVM-wide lock
 * (all sink subtasks of a TaskManager share the library). Handles that live only for one operation
 * are closed in {@code finally}; the handles of an open file live in {@link OpenFile} and are
 * closed by {@link #close(OpenFile)}. A bug here kills the JVM, so this class stays small and
 * only passes the library memory it owns, or a batch's direct buffer that it keeps reachable for
 * the duration of the call.
 *
 * <p>The lock is per class loader: in Flink, load org.bytedeco parent-first (or from the
 * cluster's {@code lib/}) together with this library so that every job shares one lock and one
 * copy of the natives.
 */
final class Hdf5Native {

    private static final Object LOCK = new Object();
    private static final int CHUNK_ROWS = 1024;
    private static final int DEFLATE_LEVEL = 4;
    private static final String MSGS = "msgs";
    private static final String HEADERS = "msg_headers";
    private static final String IO_GROUPS = "io_groups";
    private static final String META = "meta";
    private static final String MODIFIED = "modified";
    private static final String CREATED = "created";
    private static boolean initialized;
    private static boolean closedForExit;

    private Hdf5Native() {}

    /** Native handles and reusable native buffers of one file open for writing. */
    static final class OpenFile {
        final String path;
        long file = -1;
        long meta = -1;
        long msgs = -1;
        long headers = -1;
        long rows;
        long existingPayloadBytes;
        private LongPointer vlens;     // hvl_t[n] = {size_t len, void *p} pairs into the batch's buffer
        private BytePointer ioGroups;  // u8[n]
        private long[] vlenScratch = new long[0];

        private OpenFile(String path) {
            this.path = path;
        }
    }

    private static void init() throws IOException {
        if (closedForExit) {
            throw new IOException("libhdf5 was closed: the JVM is exiting");
        }
        if (initialized) {
            return;
        }
        // libhdf5 closes the files still open at process exit (its atexit handler). H5dont_atexit
        // cannot stop that: the library is already initialized when JavaCPP has loaded it (the
        // call returns -1). Files of the direct-write driver are therefore closed by
        // closeLibraryForExit, while Java still runs.
        check(H5open(), "H5open", "libhdf5");
        // Errors become Java exceptions; the library must not print its stack to stderr.
        check(H5Eset_auto2(H5E_DEFAULT, null, null), "H5Eset_auto2", "libhdf5");
        initialized = true;
    }

    /**
     * Creates a new file (fails if it exists) with {@code /meta}, empty {@code msgs} and
     * {@code msg_headers}, and switches it to SWMR writing. On failure everything opened is
     * closed; the caller deletes the file.
     */
    static OpenFile create(String path, String version, String ioVersion, Map<String, String> extraAttributes,
                           double createdSeconds, boolean directWrites) throws IOException {
        return withFile(path, directWrites, (f, fapl) -> {
            f.file = check(H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, fapl), "H5Fcreate", path);
            f.meta = check(H5Gcreate2(f.file, META, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2 /meta", path);
            writeStringAttribute(f, "version", version);
            if (ioVersion != null) {
                writeStringAttribute(f, "io_version", ioVersion);
            }
            for (Map.Entry<String, String> e : extraAttributes.entrySet()) {
                writeStringAttribute(f, e.getKey(), e.getValue());
            }
            writeDoubleAttribute(f, CREATED, createdSeconds, true);
            writeDoubleAttribute(f, MODIFIED, createdSeconds, true);
            f.msgs = createDataset(f, MSGS, true);
            f.headers = createDataset(f, HEADERS, false);
            check(H5Fstart_swmr_write(f.file), "H5Fstart_swmr_write", path);
            check(H5Fflush(f.file, H5F_SCOPE_GLOBAL), "H5Fflush", path);
        });
    }

    /** Opens an existing raw file for SWMR appending and reads its row count and payload size. */
    static OpenFile openForAppend(String path) throws IOException {
        return withFile(path, true, (f, fapl) -> {
            f.file = check(H5Fopen(path, H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, fapl), "H5Fopen (read-write, SWMR)", path);
            f.meta = check(H5Gopen2(f.file, META, H5P_DEFAULT), "H5Gopen2 /meta", path);
            f.msgs = check(H5Dopen2(f.file, MSGS, H5P_DEFAULT), "H5Dopen2 /msgs", path);
            f.headers = check(H5Dopen2(f.file, HEADERS, H5P_DEFAULT), "H5Dopen2 /msg_headers", path);
            long rows = rowCount(f.msgs, path);
            long headerRows = rowCount(f.headers, path);
            if (rows != headerRows) {
                throw new IOException(path + ": corrupt raw file: msgs has " + rows + " rows but msg_headers has "
                        + headerRows);
            }
            f.rows = rows;
            f.existingPayloadBytes = rows == 0 ? 0 : vlenBytes(f.msgs, path);
        });
    }

    /**
     * Appends the batch with one H5Dwrite per dataset, stamps {@code modified}, then runs the
     * reader-safe flush sequence: extend both, write both, flush the file (global scope, which
     * flushes both datasets and then the metadata).
     */
    static void append(OpenFile f, MessageBatch batch, double modifiedSeconds) throws IOException {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        if (f.file < 0) {
            throw new IOException(f.path + ": file is closed");
        }
        // Outside the lock: the batch and f's staging buffers belong to the calling writer (one
        // writer per file, not thread-safe), and the lock should cover only libhdf5 calls.
        BytePointer payload = stageBatch(f, batch);
        synchronized (LOCK) {
            if (f.file < 0 || closedForExit) {
                throw new IOException(f.path + ": file is closed" + (closedForExit ? " (the JVM is exiting)" : ""));
            }
            DirectWriteDriver.clearFailure();
            long start = f.rows;
            long newRows = start + n;
            boolean ok = false;
            try {
                check(H5Dset_extent(f.msgs, newRows), "H5Dset_extent /msgs", f.path);
                check(H5Dset_extent(f.headers, newRows), "H5Dset_extent /msg_headers", f.path);
                writeRows(f, f.msgs, true, start, n);
                writeRows(f, f.headers, false, start, n);
                writeDoubleAttribute(f, MODIFIED, modifiedSeconds, false);
                // H5Fflush(GLOBAL) flushes both datasets (raw data, then all metadata) in one
                // pass. Separate H5Dflush calls first would publish the msgs extent before the
                // msg_headers one: SWMR readers then saw the two lengths differ (measured).
                check(H5Fflush(f.file, H5F_SCOPE_GLOBAL), "H5Fflush", f.path);
                f.rows = newRows;
                ok = true;
            } finally {
                Reference.reachabilityFence(payload);
                if (!ok) {
                    // Best effort: shrink back so the file keeps only complete batches.
                    H5Dset_extent(f.msgs, start);
                    H5Dset_extent(f.headers, start);
                    H5Fflush(f.file, H5F_SCOPE_GLOBAL);
                }
            }
        }
    }

    /**
     * Closes every handle and frees the native staging buffers; safe to call twice. Flushes first
     * and, if that fails (a full disk), throws with every handle still open: an H5Fclose that
     * fails to flush frees the file but leaves its id behind, and libhdf5 crashes the JVM when it
     * touches that id later. The caller can make room (or drop the file's content) and close again.
     */
    static void close(OpenFile f) throws IOException {
        synchronized (LOCK) {
            if (closedForExit) {
                forgetHandles(f); // libhdf5 closed every file (and invalidated the ids) at exit
                return;
            }
            DirectWriteDriver.clearFailure();
            if (f.file >= 0 && H5Fflush(f.file, H5F_SCOPE_GLOBAL) < 0) {
                throw new IOException(f.path + ": H5Fflush failed; the file is still open");
            }
            int rc = closeHandles(f);
            DirectWriteDriver.releaseIfIdle();
            if (rc < 0) {
                throw new IOException(f.path + ": H5Fclose failed; the file may be incomplete");
            }
        }
    }

    /**
     * Closes the library (every file still open: flushed, then closed) for the JVM's exit, after
     * any call in progress; later calls fail with an IOException. Run by the direct-write driver's
     * shutdown hook: libhdf5's own clean-up at process exit would call the driver's Java callbacks
     * after the JVM has gone, and crash the process.
     */
    static void closeLibraryForExit() {
        synchronized (LOCK) {
            if (closedForExit) {
                return;
            }
            closedForExit = true;
            H5close();
            DirectWriteDriver.forgetAfterLibraryClose();
        }
    }

    // ---- helpers (all called under LOCK) ----

    private interface FileSetup {
        void open(OpenFile f, long fapl) throws IOException;
    }

    /** Runs {@code setup} under the lock with a v1.10 file access list; on failure closes what it opened. */
    private static OpenFile withFile(String path, boolean directWrites, FileSetup setup) throws IOException {
        synchronized (LOCK) {
            init();
            DirectWriteDriver.clearFailure();
            OpenFile f = new OpenFile(path);
            long fapl = -1;
            boolean ok = false;
            try {
                fapl = fileAccessList(path, directWrites);
                setup.open(f, fapl);
                ok = true;
                return f;
            } finally {
                closeQuietly(fapl, CLOSE_PLIST);
                if (!ok) {
                    closeHandles(f);
                    DirectWriteDriver.releaseIfIdle();
                }
            }
        }
    }

    private static long fileAccessList(String path, boolean directWrites) throws IOException {
        long fapl = check(H5Pcreate(H5P_CLS_FILE_ACCESS_ID_g()), "H5Pcreate(file access)", path);
        // v1.10 bounds: superblock 3 and SWMR, still readable by HDF5 1.10 and jhdf.
        return closeOnFailure(fapl, CLOSE_PLIST, h -> {
            check(H5Pset_libver_bounds(h, H5F_LIBVER_V110, H5F_LIBVER_V110), "H5Pset_libver_bounds", path);
            if (directWrites) {
                check(H5Pset_driver(h, DirectWriteDriver.id(), null), "H5Pset_driver(rawstream-direct-write)", path);
            }
        });
    }

    private static long createDataset(OpenFile f, String name, boolean messages) throws IOException {
        long space = -1;
        long dcpl = -1;
        long type = -1;
        try {
            space = check(H5Screate_simple(1, new long[] {0}, H5S_UNLIMITED), "H5Screate_simple", f.path);
            dcpl = check(H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g()), "H5Pcreate(dataset create)", f.path);
            check(H5Pset_chunk(dcpl, 1, CHUNK_ROWS), "H5Pset_chunk", f.path);
            check(H5Pset_deflate(dcpl, DEFLATE_LEVEL), "H5Pset_deflate", f.path);
            check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC), "H5Pset_fill_time", f.path);
            type = messages ? messageType(false, f.path) : headerType(false, f.path);
            return check(H5Dcreate2(f.file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), "H5Dcreate2 /" + name, f.path);
        } finally {
            closeQuietly(type, CLOSE_TYPE);
            closeQuietly(dcpl, CLOSE_PLIST);
            closeQuietly(space, CLOSE_SPACE);
        }
    }

    /** {@code H5T_VLEN { u8 }}: little-endian in the file, native in memory. */
    private static long messageType(boolean memory, String path) throws IOException {
        return check(H5Tvlen_create(memory ? H5T_NATIVE_UINT8_g() : H5T_STD_U8LE_g()), "H5Tvlen_create", path);
    }

    /** {@code H5T_COMPOUND { u8 "io_groups" }}, one byte per row. */
    private static long headerType(boolean memory, String path) throws IOException {
        long type = check(H5Tcreate(H5T_COMPOUND, 1), "H5Tcreate(compound)", path);
        return closeOnFailure(type, CLOSE_TYPE, h -> check(
                H5Tinsert(h, IO_GROUPS, 0, memory ? H5T_NATIVE_UINT8_g() : H5T_STD_U8LE_g()), "H5Tinsert", path));
    }

    private static void writeStringAttribute(OpenFile f, String name, String value) throws IOException {
        long type = -1;
        long space = -1;
        long attr = -1;
        try (BytePointer utf8 = new BytePointer(value, StandardCharsets.UTF_8);
             PointerPointer<BytePointer> ref = new PointerPointer<BytePointer>(1L)) {
            // Variable-length UTF-8: fixed-length strings read back as bytes in h5py.
            type = check(H5Tcopy(H5T_C_S1_g()), "H5Tcopy", f.path);
            check(H5Tset_size(type, H5T_VARIABLE), "H5Tset_size", f.path);
            check(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset", f.path);
            space = check(H5Screate(H5S_SCALAR), "H5Screate", f.path);
            attr = check(H5Acreate2(f.meta, name, type, space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2 " + name, f.path);
            ref.put(0, utf8); // not new PointerPointer<>(utf8): that constructor is a cast
            check(H5Awrite(attr, type, ref), "H5Awrite " + name, f.path);
        } finally {
            closeQuietly(attr, CLOSE_ATTRIBUTE);
            closeQuietly(space, CLOSE_SPACE);
            closeQuietly(type, CLOSE_TYPE);
        }
    }

    private static void writeDoubleAttribute(OpenFile f, String name, double value, boolean create) throws IOException {
        long space = -1;
        long attr = -1;
        try (DoublePointer v = new DoublePointer(1L)) {
            v.put(0, value);
            if (create) {
                space = check(H5Screate(H5S_SCALAR), "H5Screate", f.path);
                attr = check(H5Acreate2(f.meta, name, H5T_IEEE_F64LE_g(), space, H5P_DEFAULT, H5P_DEFAULT),
                        "H5Acreate2 " + name, f.path);
            } else {
                if (H5Aexists(f.meta, name) <= 0) {
                    return; // a foreign file without the attribute: SWMR mode cannot add one
                }
                attr = check(H5Aopen(f.meta, name, H5P_DEFAULT), "H5Aopen " + name, f.path);
            }
            check(H5Awrite(attr, H5T_NATIVE_DOUBLE_g(), v), "H5Awrite " + name, f.path);
        } finally {
            closeQuietly(attr, CLOSE_ATTRIBUTE);
            closeQuietly(space, CLOSE_SPACE);
        }
    }

    /**
     * Points the hvl_t array owned by {@code f} straight into the batch's direct buffer (no copy of
     * the message bytes) and copies the io_groups bytes; returns the pointer over the buffer.
     */
    private static BytePointer stageBatch(OpenFile f, MessageBatch batch) {
        int n = batch.size();
        if (f.vlens == null || f.vlens.capacity() < 2L * n) {
            freeBuffers(f);
            long rows = Math.max(2L * n, 2L * CHUNK_ROWS);
            f.vlens = new LongPointer(rows);
            f.ioGroups = new BytePointer(rows / 2);
            f.vlenScratch = new long[(int) rows];
        }
        BytePointer payload = new BytePointer(batch.data());
        long base = payload.address();
        long[] v = f.vlenScratch;
        for (int i = 0; i < n; i++) {
            int off = batch.offset(i);
            v[2 * i] = batch.offset(i + 1) - off;
            v[2 * i + 1] = base + off;
        }
        f.vlens.position(0).put(v, 0, 2 * n);
        f.ioGroups.position(0).put(batch.ioGroupArray(), 0, n);
        return payload;
    }

    private static void writeRows(OpenFile f, long dataset, boolean messages, long start, int n) throws IOException {
        long fileSpace = -1;
        long memSpace = -1;
        long memType = -1;
        String what = messages ? "/msgs" : "/msg_headers";
        try {
            fileSpace = check(H5Dget_space(dataset), "H5Dget_space " + what, f.path);
            check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, new long[] {start}, null, new long[] {n}, (long[]) null),
                    "H5Sselect_hyperslab " + what, f.path);
            memSpace = check(H5Screate_simple(1, new long[] {n}, (long[]) null), "H5Screate_simple", f.path);
            memType = messages ? messageType(true, f.path) : headerType(true, f.path);
            Pointer buffer = messages ? f.vlens : f.ioGroups;
            check(H5Dwrite(dataset, memType, memSpace, fileSpace, H5P_DEFAULT, buffer), "H5Dwrite " + what, f.path);
        } finally {
            closeQuietly(memType, CLOSE_TYPE);
            closeQuietly(memSpace, CLOSE_SPACE);
            closeQuietly(fileSpace, CLOSE_SPACE);
        }
    }

    private static long rowCount(long dataset, String path) throws IOException {
        long space = check(H5Dget_space(dataset), "H5Dget_space", path);
        try {
            long[] dims = new long[1];
            int rank = H5Sget_simple_extent_dims(space, dims, (long[]) null);
            if (rank != 1) {
                throw new IOException(path + ": corrupt raw file: dataset rank " + rank + ", expected 1");
            }
            return dims[0];
        } finally {
            H5Sclose(space);
        }
    }

    private static long vlenBytes(long msgs, String path) throws IOException {
        long type = messageType(true, path);
        long space = -1;
        try {
            space = check(H5Dget_space(msgs), "H5Dget_space", path);
            long[] size = new long[1];
            check(H5Dvlen_get_buf_size(msgs, type, space, size), "H5Dvlen_get_buf_size", path);
            return size[0];
        } finally {
            closeQuietly(space, CLOSE_SPACE);
            H5Tclose(type);
        }
    }

    private static int closeHandles(OpenFile f) {
        int rc = 0;
        try {
            if (f.headers >= 0) {
                rc |= Math.min(0, H5Dclose(f.headers));
            }
            if (f.msgs >= 0) {
                rc |= Math.min(0, H5Dclose(f.msgs));
            }
            if (f.meta >= 0) {
                rc |= Math.min(0, H5Gclose(f.meta));
            }
            if (f.file >= 0) {
                rc |= Math.min(0, H5Fclose(f.file));
            }
        } finally {
            forgetHandles(f);
        }
        return rc;
    }

    /** Marks every handle of {@code f} closed and frees its staging buffers. */
    private static void forgetHandles(OpenFile f) {
        f.headers = -1;
        f.msgs = -1;
        f.meta = -1;
        f.file = -1;
        freeBuffers(f);
    }

    private static void freeBuffers(OpenFile f) {
        if (f.vlens != null) {
            f.vlens.close();
            f.vlens = null;
        }
        if (f.ioGroups != null) {
            f.ioGroups.close();
            f.ioGroups = null;
        }
    }

    private interface Closer {
        int close(long handle);
    }

    private static final Closer CLOSE_PLIST = h -> H5Pclose(h);
    private static final Closer CLOSE_SPACE = h -> H5Sclose(h);
    private static final Closer CLOSE_TYPE = h -> H5Tclose(h);
    private static final Closer CLOSE_ATTRIBUTE = h -> H5Aclose(h);

    private interface Setup {
        void apply(long handle) throws IOException;
    }

    /** Applies {@code setup} to a fresh handle; closes the handle if that fails. */
    private static long closeOnFailure(long handle, Closer closer, Setup setup) throws IOException {
        try {
            setup.apply(handle);
            return handle;
        } catch (IOException | RuntimeException e) {
            closer.close(handle);
            throw e;
        }
    }

    private static void closeQuietly(long handle, Closer closer) {
        if (handle >= 0) {
            closer.close(handle);
        }
    }

    private static long check(long handle, String call, String path) throws IOException {
        if (handle < 0) {
            throw failure(call, path);
        }
        return handle;
    }

    private static int check(int rc, String call, String path) throws IOException {
        if (rc < 0) {
            throw failure(call, path);
        }
        return rc;
    }

    /** libhdf5 says only that the call failed; the file driver may know why (an I/O error). */
    private static IOException failure(String call, String path) {
        String cause = DirectWriteDriver.takeFailure();
        return new IOException(path + ": " + call + " failed" + (cause == null ? "" : " (" + cause + ")"));
    }
}
