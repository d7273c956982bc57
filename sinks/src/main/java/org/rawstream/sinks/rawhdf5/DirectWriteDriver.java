package org.rawstream.sinks.rawhdf5;

import static org.bytedeco.hdf5.global.hdf5.*;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.hdf5.H5FD_class_t;
import org.bytedeco.hdf5.H5FD_t;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.CLongPointer;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HDF5 virtual file driver that writes the whole disk blocks of large writes with
 * {@code O_DIRECT}, and everything else through the page cache.
 *
 * <p>Why: on the machines we measured, the kernel's copy of the appended bytes into the page cache
 * was the append thread's largest cost (perf: 59 % of the job's samples at 4 Gb/s; {@code dd} with
 * fsync wrote 392 MB/s with 10 s of system CPU per 4 GiB where {@code oflag=direct} wrote
 * 2.0 GB/s with 0.4 s). The bundled libhdf5 has no direct driver (HDF5's own needs
 * {@code --enable-direct-vfd}, and it would need every write aligned).
 *
 * <p>libhdf5 lays the file out exactly as with its default ({@code sec2}) driver: same bytes at the
 * same addresses. This driver only decides how each write reaches the disk: a write of at least
 * {@link #DIRECT_MIN_BYTES} is split at block boundaries; its partial first and last blocks go
 * through the page cache and the whole blocks between, copied into an aligned bounce buffer, go
 * with {@code O_DIRECT}. Linux keeps the two paths coherent (a direct write first writes back
 * and then drops the cached pages of its range), and reads go through the page cache. Where the
 * file system refuses {@code O_DIRECT} the file is written through the page cache only.
 *
 * <p>Every callback runs on a thread holding {@link Hdf5Native}'s lock (libhdf5 is not
 * thread-safe), which also guards this class's state: the open files and one bounce buffer.
 */
final class DirectWriteDriver {
    private static final Logger LOG = LoggerFactory.getLogger(DirectWriteDriver.class);

    /** Writes shorter than this go through the page cache whole (metadata, small messages). */
    static final int DIRECT_MIN_BYTES = 64 * 1024;
    private static final int BOUNCE_BYTES = 4 << 20;
    /** Driver id in the range HDF5 leaves to third-party drivers. */
    private static final int DRIVER_VALUE = 0x2A5D;
    private static final long MAX_ADDRESS = Long.MAX_VALUE;
    /** How long the JVM's exit waits for a libhdf5 call in progress before closing the library. */
    private static final long EXIT_WAIT_MILLIS = 10_000;

    private static final Map<Long, DriverFile> FILES = new HashMap<>();
    private static final AtomicLong DIRECT_BYTES = new AtomicLong();
    private static ByteBuffer bounce; // 1 MiB-aligned, allocated at the first direct write, kept
    private static long driverId = -1;
    private static boolean refusalLogged;
    private static boolean firstDirectFileLogged;
    /** Why the last callback failed, for the exception libhdf5's "... failed" becomes. */
    private static String lastFailure;

    // Referenced from libhdf5 while the driver is registered (see releaseIfIdle).
    private static H5FD_class_t driverClass;
    private static BytePointer driverName;
    private static Pointer[] callbacks = new Pointer[0];
    /** Callbacks of a registration libhdf5 still held when released: never freed. */
    private static final List<Pointer> RETAINED = new ArrayList<>();
    /** Closes libhdf5 at the JVM's exit while the driver is registered (see closeLibraryAtExit). */
    private static Thread exitHook;

    private DirectWriteDriver() {}

    /** The driver's id, registered with libhdf5 when none is. Call under Hdf5Native's lock. */
    static long id() throws IOException {
        if (driverId >= 0) {
            return driverId;
        }
        if (exitHook == null) {
            Thread hook = new Thread(DirectWriteDriver::closeLibraryAtExit, "rawstream-hdf5-exit");
            try {
                Runtime.getRuntime().addShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                throw new IOException("the JVM is exiting: no new raw-HDF5 file", exiting);
            }
            exitHook = hook;
        }
        driverName = new BytePointer("rawstream-direct-write");
        H5FD_class_t c = new H5FD_class_t();
        c.version(H5FD_CLASS_VERSION).value(DRIVER_VALUE).name(driverName).maxaddr(MAX_ADDRESS)
                .fc_degree(H5F_CLOSE_WEAK).fapl_size(0).dxpl_size(0);
        Open open = new Open();
        Close close = new Close();
        Compare cmp = new Compare();
        Query query = new Query();
        GetEoa getEoa = new GetEoa();
        SetEoa setEoa = new SetEoa();
        GetEof getEof = new GetEof();
        Read read = new Read();
        Write write = new Write();
        Truncate truncate = new Truncate();
        Lock lock = new Lock();
        Unlock unlock = new Unlock();
        callbacks = new Pointer[] {open, close, cmp, query, getEoa, setEoa, getEof, read, write, truncate,
            lock, unlock};
        c.open(open)._close(close).cmp(cmp).query(query).get_eoa(getEoa).set_eoa(setEoa).get_eof(getEof)
                .read(read).write(write).truncate(truncate).lock(lock).unlock(unlock);
        // As sec2: raw data and global heaps share one free list, all metadata the other.
        int[] freeListMap = {H5FD_MEM_SUPER, H5FD_MEM_SUPER, H5FD_MEM_SUPER, H5FD_MEM_DRAW, H5FD_MEM_DRAW,
            H5FD_MEM_SUPER, H5FD_MEM_SUPER};
        for (int type = 0; type < H5FD_MEM_NTYPES; type++) {
            c.fl_map(type, freeListMap[type]);
        }
        long id = H5FDregister(c);
        if (id < 0) {
            throw new IOException("libhdf5: H5FDregister(rawstream-direct-write) failed");
        }
        driverClass = c;
        driverId = id;
        return id;
    }

    /**
     * The JVM's shutdown hook while the driver is registered. libhdf5 closes the files still open
     * when the process exits, which calls this driver's Java callbacks after the JVM has gone: the
     * process would crash (a file left open by a failed close on a full disk, a writer not closed
     * before exit). So the library is closed here, while Java runs, after a call in progress (up to
     * {@value #EXIT_WAIT_MILLIS} ms: a call hung in the kernel is not waited for).
     */
    private static void closeLibraryAtExit() {
        Thread closer = new Thread(Hdf5Native::closeLibraryForExit, "rawstream-hdf5-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(EXIT_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After libhdf5 was closed (and closed every file): nothing is registered any more; the callbacks stay allocated. */
    static void forgetAfterLibraryClose() {
        FILES.clear();
        driverId = -1;
        retainCallbacks();
    }

    /** Keeps this registration's native callbacks allocated for good: libhdf5 may still hold them. */
    private static void retainCallbacks() {
        RETAINED.addAll(Arrays.asList(callbacks));
        RETAINED.add(driverClass);
        RETAINED.add(driverName);
        callbacks = new Pointer[0];
    }

    /**
     * Unregisters the driver once no file uses it. Its callbacks hold the class loader that loaded
     * this class (in Flink: the job's), so a driver left registered would keep every finished job's
     * classes in a session cluster's TaskManagers. Call under Hdf5Native's lock after closing files
     * and file access lists; the next {@link #id()} registers it again.
     */
    static void releaseIfIdle() {
        if (driverId < 0 || !FILES.isEmpty()) {
            return;
        }
        long id = driverId;
        driverId = -1;
        if (H5FDunregister(id) < 0 || H5Iis_valid(id) > 0) {
            // Still referenced somewhere: libhdf5 may call these callbacks, so they stay allocated.
            LOG.debug("rawstream-direct-write driver {} still referenced after unregistering", id);
            retainCallbacks();
            return;
        }
        for (Pointer callback : callbacks) {
            callback.close();
        }
        callbacks = new Pointer[0];
        driverClass.close();
        driverName.close();
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook); // it holds this class loader too
            exitHook = null;
        } catch (IllegalStateException exiting) {
            // The JVM is exiting: the hook runs and finds nothing open.
        }
    }

    /** Whether the driver's callbacks are allocated (registered, or kept while libhdf5 still held them). */
    static boolean registered() {
        return callbacks.length > 0;
    }

    /** Bytes written with O_DIRECT since the JVM started (all files). */
    static long directBytes() {
        return DIRECT_BYTES.get();
    }

    /** Forgets a callback failure that libhdf5 recovered from; call before each operation. */
    static void clearFailure() {
        lastFailure = null;
    }

    /** Why the last callback failed (null if none failed since the last call); clears it. */
    static String takeFailure() {
        String f = lastFailure;
        lastFailure = null;
        return f;
    }

    /** One open file: a page-cache channel, and a direct one where the file system allows it. */
    private static final class DriverFile {
        final H5FD_t handle;
        final Path path;
        final String identity; // device and inode, or the real path where those are unknown
        final FileChannel cached;
        FileChannel direct; // null: read-only, or O_DIRECT refused
        final int block;
        long eoa;
        long eof;

        DriverFile(H5FD_t handle, Path path, int flags) throws IOException {
            this.handle = handle;
            this.path = path;
            boolean write = (flags & H5F_ACC_RDWR) != 0;
            Set<OpenOption> options = new HashSet<>();
            options.add(StandardOpenOption.READ);
            if (write) {
                options.add(StandardOpenOption.WRITE);
                if ((flags & H5F_ACC_CREAT) != 0) {
                    options.add((flags & H5F_ACC_EXCL) != 0 ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
                }
                if ((flags & H5F_ACC_TRUNC) != 0) {
                    options.add(StandardOpenOption.TRUNCATE_EXISTING);
                }
            }
            this.cached = FileChannel.open(path, options);
            FileChannel d = null;
            int b = 4096;
            try {
                identity = identity(path);
                this.eof = cached.size();
                if (write) {
                    b = Math.max(b, (int) Math.min(1 << 20, Files.getFileStore(path).getBlockSize()));
                    d = openDirect(path); // last: it throws nothing, so nothing leaks
                }
            } catch (IOException | RuntimeException e) {
                cached.close();
                throw e;
            }
            this.direct = d;
            if (d != null && !firstDirectFileLogged) {
                firstDirectFileLogged = true;
                LOG.info("{}: raw-HDF5 writes of {} KiB and more go past the page cache (O_DIRECT, whole {}-byte"
                        + " blocks; sink.direct-writes)", path.getParent(), DIRECT_MIN_BYTES / 1024, b);
            }
            this.block = b;
        }

        private static String identity(Path path) throws IOException {
            try {
                return Files.getAttribute(path, "unix:dev") + ":" + Files.getAttribute(path, "unix:ino");
            } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
                return path.toRealPath().toString();
            }
        }

        private static FileChannel openDirect(Path path) {
            try {
                return FileChannel.open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            } catch (IOException | UnsupportedOperationException e) {
                logRefusal(path, e);
                return null;
            }
        }

        void close() throws IOException {
            try {
                cached.close();
            } finally {
                if (direct != null) {
                    direct.close();
                }
            }
        }
    }

    private static void logRefusal(Path file, Exception e) {
        if (!refusalLogged) {
            refusalLogged = true;
            LOG.info("{}: the file system refuses O_DIRECT ({}); raw-HDF5 files there are written through"
                    + " the page cache", file.getParent(), e.toString());
        }
    }

    private static DriverFile file(H5FD_t handle) throws IOException {
        DriverFile f = handle == null ? null : FILES.get(handle.address());
        if (f == null) {
            throw new IOException("not a file of this driver");
        }
        return f;
    }

    /** The file, checking that {@code size} bytes at {@code addr} lie within what libhdf5 allocated. */
    private static DriverFile file(H5FD_t handle, long addr, long size) throws IOException {
        DriverFile f = file(handle);
        if (addr < 0 || size < 0 || addr + size > f.eoa) {
            throw new IOException(size + " bytes at " + addr + " lie beyond the end of allocation " + f.eoa);
        }
        return f;
    }

    private static int failed(String what, Throwable t) {
        lastFailure = what + ": " + t;
        return -1;
    }

    /** The {@code n} bytes of native memory at {@code memory + offset} as a buffer (index 0 at the first). */
    private static ByteBuffer view(Pointer memory, long offset, int n) {
        return new BytePointer(memory).getPointer(offset).capacity(n).limit(n).asByteBuffer();
    }

    private static void writeCached(DriverFile f, Pointer buf, long offset, long addr, long n) throws IOException {
        long done = 0;
        while (done < n) {
            int piece = (int) Math.min(n - done, 1 << 30);
            ByteBuffer src = view(buf, offset + done, piece);
            while (src.hasRemaining()) {
                f.cached.write(src, addr + done + (piece - src.remaining()));
            }
            done += piece;
        }
    }

    private static void writeDirect(DriverFile f, Pointer buf, long offset, long addr, long n) throws IOException {
        if (bounce == null) {
            bounce = ByteBuffer.allocateDirect(BOUNCE_BYTES + (1 << 20)).alignedSlice(1 << 20);
        }
        long done = 0;
        while (done < n) {
            int piece = (int) Math.min(n - done, BOUNCE_BYTES);
            bounce.clear();
            bounce.put(0, view(buf, offset + done, piece), 0, piece);
            bounce.limit(piece);
            while (bounce.hasRemaining()) {
                long at = addr + done + bounce.position();
                int written = f.direct.write(bounce, at);
                if (written <= 0 || (written % f.block != 0 && bounce.hasRemaining())) {
                    // The rest would start off a block boundary: O_DIRECT cannot continue.
                    throw new IOException(f.path + ": short direct write (" + written + " bytes) at " + at);
                }
            }
            done += piece;
        }
        DIRECT_BYTES.addAndGet(n);
    }

    private static final class Open extends H5FD_class_t.Open_BytePointer_int_long_long {
        @Override
        public H5FD_t call(BytePointer name, int flags, long fapl, long maxaddr) {
            H5FD_t handle = new H5FD_t();
            try {
                DriverFile f = new DriverFile(handle, Path.of(name.getString()), flags);
                FILES.put(handle.address(), f);
                return handle;
            } catch (Throwable t) {
                handle.close();
                failed("open", t);
                return null;
            }
        }
    }

    private static final class Close extends H5FD_class_t.Close_H5FD_t {
        @Override
        public int call(H5FD_t handle) {
            DriverFile f = handle == null ? null : FILES.remove(handle.address());
            if (f == null) {
                return failed("close", new IOException("not a file of this driver"));
            }
            try {
                f.close();
                return 0;
            } catch (Throwable t) {
                return failed("close", t);
            } finally {
                f.handle.close(); // libhdf5 leaves the H5FD_t to the driver that allocated it
            }
        }
    }

    private static final class Compare extends H5FD_class_t.Cmp_H5FD_t_H5FD_t {
        @Override
        public int call(H5FD_t a, H5FD_t b) {
            DriverFile fa = FILES.get(a.address());
            DriverFile fb = FILES.get(b.address());
            String ia = fa == null ? "" : fa.identity;
            String ib = fb == null ? "" : fb.identity;
            return Integer.signum(ia.compareTo(ib));
        }
    }

    private static final class Query extends H5FD_class_t.Query_H5FD_t_CLongPointer {
        @Override
        public int call(H5FD_t handle, CLongPointer flags) {
            // sec2's features, less the POSIX file descriptor it hands out.
            flags.put(H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE
                    | H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_SUPPORTS_SWMR_IO | H5FD_FEAT_DEFAULT_VFD_COMPATIBLE);
            return 0;
        }
    }

    private static final class GetEoa extends H5FD_class_t.Get_eoa_H5FD_t_int {
        @Override
        public long call(H5FD_t handle, int type) {
            DriverFile f = FILES.get(handle.address());
            return f == null ? -1 : f.eoa; // HADDR_UNDEF
        }
    }

    private static final class SetEoa extends H5FD_class_t.Set_eoa_H5FD_t_int_long {
        @Override
        public int call(H5FD_t handle, int type, long addr) {
            try {
                file(handle).eoa = addr;
                return 0;
            } catch (Throwable t) {
                return failed("set_eoa", t);
            }
        }
    }

    private static final class GetEof extends H5FD_class_t.Get_eof_H5FD_t_int {
        @Override
        public long call(H5FD_t handle, int type) {
            DriverFile f = FILES.get(handle.address());
            return f == null ? -1 : f.eof;
        }
    }

    private static final class Read extends H5FD_class_t.Read_H5FD_t_int_long_long_long_Pointer {
        @Override
        public int call(H5FD_t handle, int type, long dxpl, long addr, long size, Pointer buf) {
            try {
                DriverFile f = file(handle, addr, size);
                long done = 0;
                while (done < size) {
                    int piece = (int) Math.min(size - done, 1 << 30);
                    ByteBuffer dst = view(buf, done, piece);
                    while (dst.hasRemaining()) {
                        if (f.cached.read(dst, addr + done + (piece - dst.remaining())) < 0) {
                            while (dst.hasRemaining()) {
                                dst.put((byte) 0); // past the end of the file: zeros, as sec2
                            }
                        }
                    }
                    done += piece;
                }
                return 0;
            } catch (Throwable t) {
                return failed("read", t);
            }
        }
    }

    private static final class Write extends H5FD_class_t.Write_H5FD_t_int_long_long_long_Pointer {
        @Override
        public int call(H5FD_t handle, int type, long dxpl, long addr, long size, Pointer buf) {
            try {
                DriverFile f = file(handle, addr, size);
                long end = addr + size;
                long first = Math.floorDiv(addr + f.block - 1, f.block) * f.block; // first whole block
                long last = Math.floorDiv(end, f.block) * f.block;                  // end of the last one
                if (f.direct != null && size >= DIRECT_MIN_BYTES && last - first >= f.block) {
                    writeCached(f, buf, 0, addr, first - addr);
                    try {
                        writeDirect(f, buf, first - addr, first, last - first);
                    } catch (IOException e) {
                        if (!String.valueOf(e.getMessage()).contains("Invalid argument")) {
                            throw e; // a full disk, an I/O error: the write fails as through the page cache
                        }
                        // The file system opened with O_DIRECT but refuses its writes (an alignment
                        // it does not report): this file goes through the page cache from now on.
                        logRefusal(f.path, e);
                        f.direct.close();
                        f.direct = null;
                        writeCached(f, buf, first - addr, first, last - first);
                    }
                    writeCached(f, buf, last - addr, last, end - last);
                } else {
                    writeCached(f, buf, 0, addr, size);
                }
                f.eof = Math.max(f.eof, end);
                return 0;
            } catch (Throwable t) {
                return failed("write", t);
            }
        }
    }

    /**
     * Takes no operating-system lock, but must exist: libhdf5 writes the superblock's status flags
     * (open for writing, open for SWMR writing), which SWMR readers require and which keep other
     * HDF5 programs from opening an in-progress file for writing, only for drivers that have a lock
     * callback. sec2's {@code flock} would be released at once anyway (SWMR writing unlocks the
     * file), and Java's file locks are POSIX record locks that HDF5's {@code flock} does not see.
     */
    private static final class Lock extends H5FD_class_t.Lock_H5FD_t_boolean {
        @Override
        public int call(H5FD_t handle, boolean write) {
            return 0;
        }
    }

    private static final class Unlock extends H5FD_class_t.Unlock_H5FD_t {
        @Override
        public int call(H5FD_t handle) {
            return 0;
        }
    }

    private static final class Truncate extends H5FD_class_t.Truncate_H5FD_t_long_boolean {
        @Override
        public int call(H5FD_t handle, long dxpl, boolean closing) {
            try {
                DriverFile f = file(handle);
                if (f.eoa != f.eof) {
                    if (f.eoa > f.eof) {
                        // Extend: a write of one zero byte at the new end, as ftruncate would.
                        f.cached.write(ByteBuffer.allocate(1), f.eoa - 1);
                    } else {
                        f.cached.truncate(f.eoa);
                    }
                    f.eof = f.eoa;
                }
                return 0;
            } catch (Throwable t) {
                return failed("truncate", t);
            }
        }
    }
}
