package org.rawstream.sources.spead;

/** Item ids with a meaning fixed by the SPEAD specification. */
public final class SpeadItemIds {
    public static final int NULL = 0x00;
    public static final int HEAP_CNT = 0x01;
    public static final int HEAP_SIZE = 0x02;
    public static final int HEAP_OFFSET = 0x03;
    public static final int PAYLOAD_LENGTH = 0x04;
    public static final int DESCRIPTOR = 0x05;
    public static final int STREAM_CTRL = 0x06;
    public static final int DESCRIPTOR_NAME = 0x10;
    public static final int DESCRIPTOR_DESCRIPTION = 0x11;
    public static final int DESCRIPTOR_SHAPE = 0x12;
    public static final int DESCRIPTOR_FORMAT = 0x13;
    public static final int DESCRIPTOR_ID = 0x14;
    public static final int DESCRIPTOR_NUMPY_HEADER = 0x15;

    /** STREAM_CTRL values. */
    public static final long CTRL_START = 0;
    public static final long CTRL_DESCRIPTOR_REISSUE = 1;
    public static final long CTRL_STOP = 2;
    public static final long CTRL_DESCRIPTOR_UPDATE = 3;

    private SpeadItemIds() {
    }

    /** The four ids that describe the packet itself rather than the heap's content. */
    public static boolean isPacketLevel(long id) {
        return id >= HEAP_CNT && id <= PAYLOAD_LENGTH;
    }
}
