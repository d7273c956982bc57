package org.rawstream.sources.msgpack;

import java.nio.ByteBuffer;

/**
 * Bounded, iterative pre-scan of one top-level MessagePack value: finds where the value ends
 * without decoding or allocating anything, and checks it against the receiver rules before any
 * library sees it.
 *
 * <p>The scanner is push-based and resumable: feed it consecutive byte ranges of any size (a
 * header split across ranges is collected in a small fixed buffer), and it reports the offset
 * just past the value's last byte once that arrives. Nesting is tracked on an explicit stack of
 * remaining item counts sized by the depth cap (never recursion). Every declared str/bin/ext
 * length and array/map count is checked, before anything is skipped or allocated, against the
 * bytes the value may still occupy: the per-value cap (or a smaller bound, such as the rest of
 * a datagram) minus the bytes already consumed and one byte for each item still announced by an
 * open container. So a value never grows past its bound, whatever its headers claim.
 *
 * <p>Not thread-safe: one scanner per connection or datagram reader.
 */
public final class MsgpackScanner {
    /** {@link #scan} result: every byte was consumed and the value is not complete yet. */
    public static final int NEED_MORE = -1;
    /** {@link #scan} result: the value is malformed; see {@link #error()}. */
    public static final int ERROR = -2;

    /** {@link #item} outcomes besides {@link #ERROR}: the item is complete, or has content to come. */
    private static final int ITEM_DONE = 0;
    private static final int ITEM_OPEN = 1;
    private static final int TIMESTAMP_TYPE = -1;
    private static final long MAX_NANOS = 999_999_999L;
    /** Longest header collected: ext32 (6 bytes) plus 12 bytes of timestamp, or fixext16 (18). */
    private static final int MAX_HEADER = 18;

    /**
     * Total size of items that are complete with their first byte's implied size (no payload
     * length to check, no nesting): fixints, nil, bool, float32/64, (u)int8..64 and fixstr;
     * 0 for every other format byte.
     */
    private static final byte[] WHOLE_ITEM_SIZE = new byte[256];

    static {
        for (int b = 0; b < 256; b++) {
            int size = 0;
            if (b <= 0x7F || b >= 0xE0 || b == 0xC0 || b == 0xC2 || b == 0xC3) {
                size = 1;
            } else if (b >= 0xA0 && b <= 0xBF) {
                size = 1 + (b & 0x1F);
            } else if (b >= 0xCA && b <= 0xD3) {
                size = headerLength(ByteBuffer.wrap(new byte[] {(byte) b}), 0, 1);
            }
            WHOLE_ITEM_SIZE[b] = (byte) size;
        }
    }

    private final long cap;
    private final int maxDepth;
    /** remaining[d]: items not yet started in the open container at depth d (1-based). */
    private final long[] remaining;
    private final byte[] header = new byte[MAX_HEADER];
    private final ByteBuffer headerView = ByteBuffer.wrap(header);

    private long bound;
    private int depth;
    /** Bytes of the current value consumed so far. */
    private long consumed;
    /** Items announced by open containers and not yet started: each needs at least one byte. */
    private long pending;
    /** Payload bytes of the current str/bin/ext still to skip. */
    private long skip;
    /** Header bytes collected because the header straddles ranges (0 when not collecting). */
    private int headerHave;
    private MsgpackErrorKind error;

    public MsgpackScanner(MsgpackLimits limits) {
        this.cap = limits.maxValueBytes();
        this.maxDepth = limits.maxDepth();
        this.remaining = new long[maxDepth + 1];
        this.bound = cap;
    }

    /** Forgets any partial value and error; the next byte scanned starts a new value bounded by the cap. */
    public void reset() {
        depth = 0;
        consumed = 0;
        pending = 0;
        skip = 0;
        headerHave = 0;
        error = null;
        bound = cap;
    }

    /**
     * Bounds the current value further: it may occupy at most {@code maxBytes} in total (for a
     * datagram, the bytes from the value's start to the datagram's end). Never raises the cap.
     */
    public void limitValueTo(long maxBytes) {
        bound = Math.min(cap, maxBytes);
    }

    /** True while a value has started and not completed. */
    public boolean inValue() {
        return consumed > 0;
    }

    /** Bytes of the current (incomplete) value consumed so far. */
    public long consumed() {
        return consumed;
    }

    /** The rule the value broke, after {@link #scan} returned {@link #ERROR}. */
    public MsgpackErrorKind error() {
        return error;
    }

    /**
     * Continues the current value with bytes {@code [from, to)} of {@code buf} (absolute
     * offsets; the buffer's position and limit are not used or changed).
     *
     * @return the offset just past the value's last byte when the value completes in this
     *     range (the scanner is then ready for the next value), {@link #NEED_MORE} when all bytes
     *     were consumed without completing it, or {@link #ERROR}
     */
    public int scan(ByteBuffer buf, int from, int to) {
        if (error != null) {
            return ERROR;
        }
        int p = from;
        while (true) {
            if (skip > 0) {
                int available = to - p;
                if (available < skip) {
                    consumed += available;
                    skip -= available;
                    return NEED_MORE;
                }
                p += (int) skip;
                consumed += skip;
                skip = 0;
                if (itemDone()) {
                    return p;
                }
            }
            if (p >= to) {
                return NEED_MORE;
            }
            if (headerHave == 0) {
                // Fast path: a run of items that are whole once their first byte's size is in
                // (fixints, nil, bool, floats, ints, fixstr: most items of typical values), with
                // the state in locals. The bound is checked once after the run: consumed +
                // pending never decreases along it, so the verdict is the same.
                int d = depth;
                long pend = pending;
                final long base = consumed - p;
                final long[] rem = remaining;
                boolean complete = false;
                while (p < to) {
                    int size = WHOLE_ITEM_SIZE[buf.get(p) & 0xFF];
                    if (size == 0 || to - p < size) {
                        break;
                    }
                    p += size;
                    if (d > 0) {
                        pend--;
                        if (--rem[d] > 0) {
                            continue;
                        }
                        while (d > 0 && rem[d] == 0) {
                            d--;
                        }
                    }
                    if (d == 0) {
                        complete = true;
                        break;
                    }
                }
                depth = d;
                pending = pend;
                consumed = base + p;
                if (!boundCheck(0)) {
                    return ERROR;
                }
                if (complete) {
                    itemDone();
                    return p;
                }
                if (p >= to) {
                    return NEED_MORE;
                }
            }
            ByteBuffer src;
            int off;
            int length;
            if (headerHave == 0) {
                length = headerLength(buf, p, to - p);
                if (length < 0) {
                    return fail(MsgpackErrorKind.NEVER_USED_BYTE);
                }
                if (to - p < length) {
                    // The header straddles ranges: collect it (at most MAX_HEADER bytes).
                    int n = to - p;
                    buf.get(p, header, 0, n);
                    headerHave = n;
                    consumed += n;
                    return boundCheck(0) ? NEED_MORE : ERROR;
                }
                src = buf;
                off = p;
                p += length;
                consumed += length;
            } else {
                while (true) {
                    length = headerLength(headerView, 0, headerHave);
                    if (headerHave >= length) {
                        break;
                    }
                    int n = Math.min(length - headerHave, to - p);
                    if (n == 0) {
                        return boundCheck(0) ? NEED_MORE : ERROR;
                    }
                    buf.get(p, header, headerHave, n);
                    headerHave += n;
                    consumed += n;
                    p += n;
                }
                headerHave = 0;
                src = headerView;
                off = 0;
            }
            if (depth > 0) {
                remaining[depth]--;
                pending--;
            }
            int outcome = item(src, off);
            if (outcome == ERROR) {
                return ERROR;
            }
            if (outcome == ITEM_DONE && itemDone()) {
                return p;
            }
        }
    }

    /** Acts on one complete item header. */
    private int item(ByteBuffer src, int off) {
        int b = src.get(off) & 0xFF;
        if (b <= 0x7F || b >= 0xE0 || (b >= 0xC0 && b <= 0xC3) || (b >= 0xCA && b <= 0xD3)) {
            return boundCheck(0) ? ITEM_DONE : ERROR; // fixints, nil, bool, float, (u)int: no payload
        }
        if (b <= 0x8F) {
            return open(2L * (b & 0x0F));
        }
        if (b <= 0x9F) {
            return open(b & 0x0F);
        }
        if (b <= 0xBF) {
            return payload(b & 0x1F);
        }
        switch (b) {
            case 0xC4:
            case 0xD9:
                return payload(src.get(off + 1) & 0xFF);
            case 0xC5:
            case 0xDA:
                return payload(src.getShort(off + 1) & 0xFFFF);
            case 0xC6:
            case 0xDB:
                return payload(src.getInt(off + 1) & 0xFFFFFFFFL);
            case 0xC7:
                return ext(src, off + 2, src.get(off + 1) & 0xFF, off + 3);
            case 0xC8:
                return ext(src, off + 3, src.getShort(off + 1) & 0xFFFF, off + 4);
            case 0xC9:
                return ext(src, off + 5, src.getInt(off + 1) & 0xFFFFFFFFL, off + 6);
            case 0xD4:
            case 0xD5:
            case 0xD6:
            case 0xD7:
            case 0xD8: {
                int length = 1 << (b - 0xD4);
                if (src.get(off + 1) == TIMESTAMP_TYPE) {
                    MsgpackErrorKind bad = checkTimestamp(src, off + 2, length);
                    if (bad != null) {
                        return fail(bad);
                    }
                }
                return boundCheck(0) ? ITEM_DONE : ERROR; // fixext data is part of the header
            }
            case 0xDC:
                return open(src.getShort(off + 1) & 0xFFFF);
            case 0xDD:
                return open(src.getInt(off + 1) & 0xFFFFFFFFL);
            case 0xDE:
                return open(2L * (src.getShort(off + 1) & 0xFFFF));
            case 0xDF:
                return open(2L * (src.getInt(off + 1) & 0xFFFFFFFFL));
            default:
                return fail(MsgpackErrorKind.NEVER_USED_BYTE); // 0xC1; headerLength already refuses it
        }
    }

    private int ext(ByteBuffer src, int typeAt, long length, int dataAt) {
        if (src.get(typeAt) != TIMESTAMP_TYPE) {
            return payload(length);
        }
        MsgpackErrorKind bad = checkTimestamp(src, dataAt, length);
        if (bad != null) {
            return fail(bad);
        }
        return boundCheck(0) ? ITEM_DONE : ERROR; // timestamp data was collected with the header
    }

    /** A str/bin/ext payload of {@code length} bytes follows. */
    private int payload(long length) {
        if (!boundCheck(length)) {
            return ERROR;
        }
        skip = length;
        return length == 0 ? ITEM_DONE : ITEM_OPEN;
    }

    /** An array/map with {@code items} items (keys and values counted separately) follows. */
    private int open(long items) {
        if (depth == maxDepth) {
            return fail(MsgpackErrorKind.DEPTH_ABOVE_CAP); // even an empty container counts as a level
        }
        if (!boundCheck(items)) {
            return ERROR;
        }
        if (items == 0) {
            return ITEM_DONE;
        }
        depth++;
        remaining[depth] = items;
        pending += items;
        return ITEM_OPEN;
    }

    /**
     * True when {@code more} further bytes (beyond those consumed and one per pending item) fit
     * in the value's bound; otherwise records the error.
     */
    private boolean boundCheck(long more) {
        long needed = consumed + pending + more;
        if (needed <= bound) {
            return true;
        }
        fail(needed > cap ? MsgpackErrorKind.VALUE_ABOVE_CAP : MsgpackErrorKind.TRUNCATED);
        return false;
    }

    /** An item finished: close every container it completed; true when the top-level value is complete. */
    private boolean itemDone() {
        while (depth > 0 && remaining[depth] == 0) {
            depth--;
        }
        if (depth > 0) {
            return false;
        }
        consumed = 0;
        pending = 0;
        bound = cap;
        return true;
    }

    private int fail(MsgpackErrorKind kind) {
        error = kind;
        return ERROR;
    }

    /**
     * Header bytes of the item starting at {@code off} (fixed-size scalars, fixext data and
     * timestamp data count as header), as far as the {@code available} bytes tell: the result
     * is exact once it is {@code <= available}, else a lower bound. -1 for 0xC1.
     */
    private static int headerLength(ByteBuffer src, int off, int available) {
        int b = src.get(off) & 0xFF;
        if (b <= 0xBF || b >= 0xE0) {
            return 1;
        }
        switch (b) {
            case 0xC0:
            case 0xC2:
            case 0xC3:
                return 1;
            case 0xC1:
                return -1;
            case 0xC4:
            case 0xCC:
            case 0xD0:
            case 0xD9:
                return 2;
            case 0xC5:
            case 0xCD:
            case 0xD1:
            case 0xDA:
            case 0xDC:
            case 0xDE:
                return 3;
            case 0xC6:
            case 0xCA:
            case 0xCE:
            case 0xD2:
            case 0xDB:
            case 0xDD:
            case 0xDF:
                return 5;
            case 0xCB:
            case 0xCF:
            case 0xD3:
                return 9;
            case 0xC7:
                return available < 3 ? 3 : 3 + timestampData(src.get(off + 2), src.get(off + 1) & 0xFF);
            case 0xC8:
                return available < 4 ? 4 : 4 + timestampData(src.get(off + 3), src.getShort(off + 1) & 0xFFFF);
            case 0xC9:
                return available < 6 ? 6 : 6 + timestampData(src.get(off + 5), src.getInt(off + 1) & 0xFFFFFFFFL);
            default: // 0xD4..0xD8 fixext 1..16: marker, type, data
                return 2 + (1 << (b - 0xD4));
        }
    }

    /** Data bytes collected with an ext header: those of a well-sized timestamp, else none (checked later). */
    private static int timestampData(byte type, long length) {
        return type == TIMESTAMP_TYPE && (length == 4 || length == 8 || length == 12) ? (int) length : 0;
    }

    private static MsgpackErrorKind checkTimestamp(ByteBuffer src, int dataAt, long length) {
        if (length == 4) {
            return null; // uint32 seconds: every value valid
        }
        long nanos;
        if (length == 8) {
            nanos = (src.getInt(dataAt) & 0xFFFFFFFFL) >>> 2; // upper 30 bits
        } else if (length == 12) {
            nanos = src.getInt(dataAt) & 0xFFFFFFFFL;
        } else {
            return MsgpackErrorKind.BAD_TIMESTAMP_LENGTH;
        }
        return nanos > MAX_NANOS ? MsgpackErrorKind.BAD_TIMESTAMP_NANOS : null;
    }
}
