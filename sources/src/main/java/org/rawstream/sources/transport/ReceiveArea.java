package org.rawstream.sources.transport;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct memory the kernel receives datagrams into (the slots of a {@link RecvmmsgReader}), which
 * a decoder may keep instead of copying the datagram out: it asks for a loan while it decodes a
 * datagram of the area ({@link UdpReceiver#lendDatagram()}), reads the datagram through
 * {@link #bytes()} at the indices it was given, and {@link #release() releases} the loan once done
 * with it (for a record: after the record was emitted). The reader receives into another area while
 * any loan of this one is out, and the last release gives the area back to its
 * {@link ReceiveAreaPool}.
 *
 * <p>Thread-safe: the receiving thread lends, any thread releases. {@link #bytes()} is shared:
 * read it with absolute indices only.
 */
public final class ReceiveArea {
    /** The area, big-endian, for the decoders: its limit is its capacity and never moves. */
    private final ByteBuffer bytes;
    /** The same memory for the reader's per-datagram views (their position and limit move). */
    final ByteBuffer delivering;
    /** Native address of the first byte. */
    final long address;
    /** The reader's own reference while it receives into the area, plus one per loan. */
    private final AtomicInteger references = new AtomicInteger(1);
    private final ReceiveAreaPool pool;

    ReceiveArea(int capacity, ReceiveAreaPool pool) {
        ByteBuffer memory = ByteBuffer.allocateDirect(capacity);
        this.bytes = memory.duplicate();
        this.delivering = memory.duplicate();
        this.address = Pointer.nativeValue(Native.getDirectBufferPointer(memory));
        this.pool = pool;
    }

    /** The whole area, to read a lent datagram at its indices. Valid until the loan is released. */
    public ByteBuffer bytes() {
        return bytes;
    }

    /** One more loan (receiving thread). */
    ReceiveArea lend() {
        references.incrementAndGet();
        return this;
    }

    /**
     * Whether loans of the area are still out (receiving thread, about the area it receives into):
     * once all have ended the reader may receive into it again, since only it holds the area.
     */
    boolean lentOut() {
        return references.get() > 1;
    }

    /** Ends a loan (or the reader's own use); the last one gives the area back to its pool. */
    public void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            // Nobody else holds the area now: reset it for its next use before it is shared again.
            references.set(1);
            pool.giveBack(this);
        } else if (left < 0) {
            throw new IllegalStateException("receive area released more often than lent");
        }
    }
}
