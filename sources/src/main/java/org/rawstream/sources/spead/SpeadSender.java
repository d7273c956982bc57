package org.rawstream.sources.spead;

import static org.rawstream.core.config.ConfigChecks.atLeast;
import static org.rawstream.core.config.ConfigChecks.inRange;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import org.rawstream.sources.transport.Pacer;
import org.rawstream.sources.transport.SegmentedDatagramWriter;
import org.rawstream.sources.transport.SenderChannels;

/**
 * Sends SPEAD heaps over UDP (one packet per datagram, several datagrams per call where the kernel
 * segments: {@link SegmentedDatagramWriter}) or TCP (packets back to back): the core
 * of the {@code send-spead} command, the tests' and the benchmark's traffic source. Each heap
 * holds a "data" item (heap size bytes, a big-endian u32 counter) and an immediate "timestamp";
 * descriptors go in the first heap (and, if asked, again every n-th heap, so a receiver that missed
 * the first still learns them); a stop heap ends the stream. Paced to a rate in Gb/s
 * (payload and headers, as on the wire) unless the rate is 0.
 */
public final class SpeadSender {

    public static final long DATA_ID = 0x1000;
    public static final long TIMESTAMP_ID = 0x1001;

    /** How packets travel. */
    public enum Transport { UDP, TCP }

    /** Totals of one run. */
    public static final class Result {
        public final long heaps;
        public final long packets;
        public final long bytes;
        public final long nanos;
        /** System calls that wrote packets: fewer than packets where the kernel segments UDP. */
        public final long writeCalls;
        /** UDP: why each packet took its own call (null where the kernel segmented); TCP: null. */
        public final String segmentationRefusal;

        Result(long heaps, long packets, long bytes, long nanos, long writeCalls, String segmentationRefusal) {
            this.heaps = heaps;
            this.packets = packets;
            this.bytes = bytes;
            this.nanos = nanos;
            this.writeCalls = writeCalls;
            this.segmentationRefusal = segmentationRefusal;
        }

        public double gbps() {
            return nanos == 0 ? 0 : bytes * 8.0 / nanos;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%d heaps, %d packets in %d calls, %d bytes in %.3f s (%.3f Gb/s)",
                    heaps, packets, writeCalls, bytes, nanos / 1e9, gbps());
        }
    }

    /** What the sender sends, as its {@link Builder} set it. */
    private record Settings(Transport transport, InetSocketAddress target, SpeadFlavour flavour, int heapSize,
            int packetSize, long heaps, double rateGbps, long firstHeapCnt, long heapCntStep, boolean sendStop,
            long connectTimeoutMillis, boolean refillData, long descriptorsEvery, boolean segmentationOffload) {
    }

    private final Settings settings;
    private volatile boolean cancelled;

    private SpeadSender(Settings settings) {
        this.settings = settings;
    }

    /** Makes a running {@link #run()} stop after the current packet (it then sends the stop heap). */
    public void cancel() {
        cancelled = true;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The descriptors the sender announces in its first heap (and every {@code descriptorsEvery}-th). */
    public SpeadDescriptor[] descriptors() {
        return new SpeadDescriptor[] {
            SpeadDescriptor.builder(DATA_ID, "data").description("big-endian uint32 counter")
                    .numpyHeader("{'descr': '>u4', 'fortran_order': False, 'shape': (" + settings.heapSize() / 4 + ",)}").build(),
            SpeadDescriptor.builder(TIMESTAMP_ID, "timestamp").description("heap index, immediate")
                    .formatField('u', settings.flavour().heapAddressBits()).build()
        };
    }

    /** The i-th heap this sender sends (i from 0). */
    public OutgoingHeap heap(long index, byte[] data) {
        OutgoingHeap.Builder b = OutgoingHeap.builder();
        if (carriesDescriptors(index)) {
            for (SpeadDescriptor d : descriptors()) {
                b.descriptor(d);
            }
        }
        return b.item(DATA_ID, data).immediate(TIMESTAMP_ID, index & settings.flavour().maxAddress()).build();
    }

    private boolean carriesDescriptors(long index) {
        long every = settings.descriptorsEvery();
        return index == 0 || (every > 0 && index % every == 0);
    }

    /** Fills the data item with a big-endian u32 counter continuing from heap {@code index}. */
    public static void fillData(byte[] data, long index) {
        ByteBuffer b = ByteBuffer.wrap(data);
        long base = index * (data.length / 4);
        while (b.remaining() >= 4) {
            b.putInt((int) (base++));
        }
    }

    /** Sends all heaps (and the stop heap) and returns the totals. */
    public Result run() throws IOException {
        try (WritableByteChannel channel = open()) {
            return send(channel);
        }
    }

    private WritableByteChannel open() throws IOException {
        if (settings.transport() == Transport.UDP) {
            return SenderChannels.udp(settings.target(), 4 << 20);
        }
        return SenderChannels.tcp(settings.target(), java.time.Duration.ofMillis(settings.connectTimeoutMillis()),
                () -> cancelled);
    }

    private Result send(WritableByteChannel channel) throws IOException {
        SpeadFlavour flavour = settings.flavour();
        long firstHeapCnt = settings.firstHeapCnt();
        long heapCntStep = settings.heapCntStep();
        SpeadHeapPacketizer packetizer = new SpeadHeapPacketizer(settings.packetSize());
        byte[] data = new byte[settings.heapSize()];
        long[] counts = new long[3];
        ByteBuffer[] gather = new ByteBuffer[2];
        SegmentedDatagramWriter datagrams = settings.transport() == Transport.UDP
                ? datagramWriter((DatagramChannel) channel) : null;
        Pacer pacer = new Pacer(settings.rateGbps() * 1e9 / 8);
        long start = System.nanoTime();
        SpeadHeapPacketizer.PacketSink sink = (head, payload) -> {
            int len = head.remaining() + payload.remaining();
            pacer.acquire(len);
            if (datagrams != null) {
                datagrams.add(head, payload); // one datagram per packet
            } else {
                gather[0] = head;
                gather[1] = payload;
                SocketChannel sc = (SocketChannel) channel;
                while (head.hasRemaining() || payload.hasRemaining()) {
                    sc.write(gather);
                    counts[2]++;
                }
            }
            counts[0]++;
            counts[1] += len;
        };
        OutgoingHeap.Layout steady = null;
        long sent = 0;
        fillData(data, 0);
        for (long i = 0; i < settings.heaps() && !cancelled; i++) {
            if (settings.refillData() && i > 0) {
                fillData(data, i);
            }
            OutgoingHeap.Layout layout;
            if (carriesDescriptors(i)) {
                layout = heap(i, data).layout(flavour);
            } else {
                // The data array is shared by the layout; only the immediate changes per heap.
                steady = OutgoingHeap.builder().item(DATA_ID, data)
                        .immediate(TIMESTAMP_ID, i & flavour.maxAddress()).build().layout(flavour);
                layout = steady;
            }
            packetizer.packetize(layout, (firstHeapCnt + i * heapCntStep) & flavour.maxAddress(), sink);
            flush(datagrams); // a heap's last packets do not wait for the next heap
            sent++;
        }
        if (settings.sendStop()) {
            packetizer.packetize(OutgoingHeap.stop().layout(flavour), (firstHeapCnt + sent * heapCntStep) & flavour.maxAddress(), sink);
            flush(datagrams);
        }
        return datagrams == null
                ? new Result(sent, counts[0], counts[1], System.nanoTime() - start, counts[2], null)
                : new Result(sent, counts[0], counts[1], System.nanoTime() - start, datagrams.writeCalls(), datagrams.refusal());
    }

    private SegmentedDatagramWriter datagramWriter(DatagramChannel channel) {
        if (settings.segmentationOffload()) {
            return SegmentedDatagramWriter.open(channel, settings.packetSize());
        }
        return SegmentedDatagramWriter.unsegmented(channel, settings.packetSize(), "segmentation offload off");
    }

    private static void flush(SegmentedDatagramWriter datagrams) throws IOException {
        if (datagrams != null) {
            datagrams.flush();
        }
    }

    /** Builder; defaults: UDP to 127.0.0.1, SPEAD-64-48, 1 MiB heaps, 8972-byte packets, 10 heaps, unpaced. */
    public static final class Builder {
        private Transport transport = Transport.UDP;
        private InetSocketAddress target;
        private SpeadFlavour flavour = SpeadFlavour.SPEAD_64_48;
        private int heapSize = 1 << 20;
        private int packetSize = 8972;
        private long heaps = 10;
        private double rateGbps;
        private long firstHeapCnt = 1;
        private long heapCntStep = 1;
        private boolean sendStop = true;
        private long connectTimeoutMillis = 0;
        private boolean refillData = true;
        private long descriptorsEvery;
        private boolean segmentationOffload = true;

        private Builder() {
        }

        /** TCP: keep retrying a refused connection this long (0 = fail at once). */
        public Builder connectTimeout(java.time.Duration timeout) {
            this.connectTimeoutMillis = timeout.toMillis();
            return this;
        }

        /**
         * UDP: hand the kernel up to 64 KiB of full-size packets per call to cut into datagrams
         * (GSO), as spead2's sender does where the kernel can (default); false: one call per packet.
         * The datagrams are the same either way.
         */
        public Builder segmentationOffload(boolean value) {
            this.segmentationOffload = value;
            return this;
        }

        /** False: every heap carries the first heap's data (saves the sender's CPU in benchmarks). */
        public Builder refillData(boolean value) {
            this.refillData = value;
            return this;
        }

        public Builder udp(String host, int port) {
            this.transport = Transport.UDP;
            this.target = new InetSocketAddress(host, port);
            return this;
        }

        public Builder tcp(String host, int port) {
            this.transport = Transport.TCP;
            this.target = new InetSocketAddress(host, port);
            return this;
        }

        public Builder flavour(SpeadFlavour value) {
            this.flavour = Objects.requireNonNull(value);
            return this;
        }

        /** Bytes of the data item (a multiple of 4). */
        public Builder heapSize(int bytes) {
            if (bytes < 4 || bytes % 4 != 0) {
                throw new IllegalArgumentException("heap size must be a positive multiple of 4");
            }
            this.heapSize = bytes;
            return this;
        }

        /** Largest packet, header included (UDP payload size). */
        public Builder packetSize(int bytes) {
            this.packetSize = inRange(bytes, SpeadHeapPacketizer.MIN_PACKET_SIZE, 65507, "packet size");
            return this;
        }

        public Builder heaps(long count) {
            this.heaps = atLeast(count, 0, "heap count");
            return this;
        }

        /** Rate on the wire in Gb/s; 0 sends as fast as possible. */
        public Builder rateGbps(double gbps) {
            this.rateGbps = atLeast(gbps, 0, "rate");
            return this;
        }

        public Builder firstHeapCnt(long cnt) {
            this.firstHeapCnt = cnt;
            return this;
        }

        public Builder heapCntStep(long step) {
            this.heapCntStep = atLeast(step, 1, "heap counter step");
            return this;
        }

        /** Repeat the descriptors in every n-th heap too; 0 (default) = in the first heap only. */
        public Builder descriptorsEvery(long n) {
            this.descriptorsEvery = atLeast(n, 0, "descriptor repeat");
            return this;
        }

        public Builder sendStop(boolean value) {
            this.sendStop = value;
            return this;
        }

        public SpeadSender build() {
            if (target == null) {
                throw new IllegalStateException("set udp(host, port) or tcp(host, port)");
            }
            return new SpeadSender(new Settings(transport, target, flavour, heapSize, packetSize, heaps, rateGbps,
                    firstHeapCnt, heapCntStep, sendStop, connectTimeoutMillis, refillData, descriptorsEvery,
                    segmentationOffload));
        }
    }
}
