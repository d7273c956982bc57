package org.rawstream.sources.net;

import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.transport.LongCounter;
import org.rawstream.sources.transport.NamedCounters;
import org.rawstream.sources.transport.ReceiveArea;
import org.rawstream.sources.transport.UdpReceiver;

/**
 * What a {@link NetworkProtocol} gets when it creates a decoder: which split (endpoint), which
 * subtask, and counters of its own that become Flink metrics next to the transport's
 * ({@code rawstream.<source name>.<counter name>}). Counters are shared by all decoders of the
 * subtask and must only be written on the fetcher thread (inside decoder calls).
 *
 * <p>Load shedding: {@link #overloaded()} says that the pipeline behind the receiving thread is
 * not keeping up (see {@link NetworkSource.Builder#shedAt}). A protocol names its unit and sheds
 * whole new units while it is true: for a unit of one datagram or frame, call
 * {@link #admitUnit(int)} first thing in the decoder; a protocol whose unit spans packets (a SPEAD
 * heap) asks {@link #overloaded()} when a packet opens a new unit, drops that unit's later
 * packets too, keeps feeding units already started, and reports what it drops with {@link #shed(int)}.
 */
public final class DecoderContext {
    private final String sourceName;
    private final int subtaskIndex;
    private final NetworkSplit split;
    private final NamedCounters counters;
    private final BooleanSupplier overloaded;
    private final LongConsumer shedBytes;
    private LongCounter unitsShed;
    private Supplier<ReceiveArea> lender = () -> null;

    public DecoderContext(String sourceName, int subtaskIndex, NetworkSplit split, NamedCounters counters) {
        this(sourceName, subtaskIndex, split, counters, () -> false, bytes -> { });
    }

    /**
     * @param overloaded whether the pipeline behind the receiving thread is behind
     * @param shedBytes told the bytes of each shed packet (they leave the hand-over's account)
     */
    public DecoderContext(String sourceName, int subtaskIndex, NetworkSplit split, NamedCounters counters,
            BooleanSupplier overloaded, LongConsumer shedBytes) {
        this.sourceName = sourceName;
        this.subtaskIndex = subtaskIndex;
        this.split = split;
        this.counters = counters;
        this.overloaded = overloaded;
        this.shedBytes = shedBytes;
    }

    /**
     * The decoder dropped {@code bytes} received bytes because it shed them: they are not handed
     * over, so they must not count against the hand-over (else shedding would fill it).
     */
    public void shed(int bytes) {
        shedBytes.accept(bytes);
    }

    /** True while the pipeline behind the receiving thread is behind: shed new units. */
    public boolean overloaded() {
        return overloaded.getAsBoolean();
    }

    /**
     * For protocols whose unit is one datagram or frame of {@code bytes} received bytes: false
     * while {@link #overloaded()}, and the unit is counted in the source's {@code unitsShed}
     * metric (the caller drops it).
     */
    public boolean admitUnit(int bytes) {
        if (!overloaded.getAsBoolean()) {
            return true;
        }
        if (unitsShed == null) {
            unitsShed = counters.counter("unitsShed");
        }
        unitsShed.increment();
        shedBytes.accept(bytes);
        return false;
    }

    /**
     * For a datagram decoder, while it decodes a datagram: a loan of the memory the datagram was
     * received into, so that a record can carry the datagram's bytes without a copy (see
     * {@link UdpReceiver#lendDatagram()}): readable through {@link ReceiveArea#bytes()} at the
     * indices of the datagram's view until the loan is {@link ReceiveArea#release() released}.
     * Null where the receiver cannot lend (the JDK's receive, a capture replay, the receiver's
     * loans used up): copy what you keep.
     */
    public ReceiveArea lendDatagram() {
        return lender.get();
    }

    /** Where {@link #lendDatagram()} lends from: the endpoint's receiver, once it is open. */
    public void lendFrom(Supplier<ReceiveArea> lender) {
        this.lender = Objects.requireNonNull(lender);
    }

    public String sourceName() {
        return sourceName;
    }

    public int subtaskIndex() {
        return subtaskIndex;
    }

    public NetworkSplit split() {
        return split;
    }

    /** Protocol counters: look each up once when the decoder is created, then just increment it. */
    public NamedCounters counters() {
        return counters;
    }

    @Override
    public String toString() {
        return sourceName + "[" + subtaskIndex + "] " + split;
    }
}
