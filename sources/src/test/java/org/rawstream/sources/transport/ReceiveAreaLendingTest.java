package org.rawstream.sources.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawstream.sources.spead.source.SpeadPacketRecord;
import org.rawstream.sources.spead.source.SpeadPacketRecordSerializer;

/**
 * Loans of received datagrams ({@link RecvmmsgReader#lend()}) on a real loopback socket: a lent
 * datagram keeps its bytes while the reader goes on receiving, the reader stops lending (and its
 * decoders copy) once the areas' budget is used up and lends again when areas come back, a closed
 * reader's areas all come back, and an area lost with its loans leaves the budget once collected.
 */
class ReceiveAreaLendingTest {
    private static final int AREA = RecvmmsgReader.MAX_SLOTS * RecvmmsgReader.SLOT_BYTES;
    private static final long DEADLINE_NANOS = PollUntil.DEADLINE.toNanos();

    private DatagramChannel socket;
    private DatagramChannel sender;

    /** A datagram kept through a loan (null: the reader could not lend), with the byte it is filled with. */
    private record Kept(ReceiveArea loan, int at, int length, byte fill) {
        boolean intact() {
            for (int i = 0; i < length; i++) {
                if (loan.bytes().get(at + i) != fill) {
                    return false;
                }
            }
            return true;
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        Assumptions.assumeTrue(RecvmmsgReaderTest.batchReaderAvailable(), "recvmmsg unavailable here");
        socket = DatagramChannel.open();
        socket.configureBlocking(false);
        socket.bind(new InetSocketAddress("127.0.0.1", 0));
        sender = DatagramChannel.open();
        sender.connect(socket.getLocalAddress());
    }

    @AfterEach
    void tearDown() throws IOException {
        if (socket != null) {
            socket.close();
            sender.close();
        }
    }

    private RecvmmsgReader reader(int areas, ReceiveAreaPool[] pool) throws Exception {
        pool[0] = ReceiveAreaPool.withBudget(AREA, (long) areas * AREA);
        return new RecvmmsgReader(LinuxSocketCalls.fd(socket), RecvmmsgReader.MAX_SLOTS, new LongCounter(), pool[0]);
    }

    /** Sends {@code count} datagrams of {@code length} bytes filled with {@code fill}, fill + 1, ... */
    private void send(int count, int length, int fill) throws IOException {
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[length];
            Arrays.fill(b, (byte) (fill + i));
            sender.write(ByteBuffer.wrap(b));
        }
    }

    /** Reads until {@code count} datagrams came, lending each one; waits for the socket to be readable (10 s at most). */
    private List<Kept> receiveLending(RecvmmsgReader reader, int count) throws IOException {
        List<Kept> kept = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        try (Selector readable = Selector.open()) {
            socket.register(readable, SelectionKey.OP_READ);
            while (kept.size() < count) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw new AssertionError("received " + kept.size() + " of " + count + " datagrams");
                }
                readable.select(left);
                readable.selectedKeys().clear();
                reader.read(count - kept.size(), (datagram, from, truncated) -> kept.add(new Kept(reader.lend(),
                        datagram.position(), datagram.remaining(), datagram.get(datagram.position()))));
            }
        }
        return kept;
    }

    @Test
    void lentDatagramsKeepTheirBytesWhileTheReaderReceivesIntoOtherAreas() throws Exception {
        ReceiveAreaPool[] pool = new ReceiveAreaPool[1];
        RecvmmsgReader reader = reader(16, pool);
        List<Kept> all = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            send(3, 20_000 + round, 3 * round);
            all.addAll(receiveLending(reader, 3));
        }
        assertThat(all).hasSize(18).allSatisfy(k -> {
            assertThat(k.loan()).isNotNull();
            assertThat(k.intact()).isTrue();
        });
        assertThat(all.stream().map(Kept::loan).distinct().count()).isBetween(2L, 16L); // one area per call that lent
        assertThat(pool[0].areas()).isLessThanOrEqualTo(16);
        all.forEach(k -> k.loan().release());
        int areas = pool[0].areas();
        // Released areas are received into again: no new ones.
        for (int round = 0; round < 6; round++) {
            send(2, 20_000, 100 + round);
            receiveLending(reader, 2).forEach(k -> {
                assertThat(k.intact()).isTrue();
                k.loan().release();
            });
        }
        assertThat(pool[0].areas()).isEqualTo(areas);
    }

    @Test
    void pastTheBudgetTheReaderStopsLendingAndLendsAgainOnceAnAreaComesBack() throws Exception {
        ReceiveAreaPool[] pool = new ReceiveAreaPool[1];
        RecvmmsgReader reader = reader(2, pool);
        send(1, 20_000, 1);
        Kept first = receiveLending(reader, 1).get(0);
        send(1, 20_000, 2);
        Kept second = receiveLending(reader, 1).get(0);
        assertThat(first.loan()).isNotNull();
        assertThat(second.loan()).isNotNull().isNotSameAs(first.loan());
        assertThat(pool[0].areas()).isEqualTo(2);
        // Both areas lent: the reader receives into its spare area and lends nothing.
        send(1, 20_000, 3);
        assertThat(receiveLending(reader, 1).get(0).loan()).isNull();
        assertThat(first.intact() && second.intact()).isTrue();
        first.loan().release();
        send(1, 20_000, 4);
        Kept again = receiveLending(reader, 1).get(0);
        assertThat(again.loan()).isSameAs(first.loan());
        assertThat(again.intact() && second.intact()).isTrue();
        assertThat(pool[0].areas()).isEqualTo(2);

        reader.close(); // the reader lets go of its area; the lent ones come back with their loans
        assertThat(pool[0].freeAreas()).isZero();
        again.loan().release();
        second.loan().release();
        assertThat(pool[0].freeAreas()).isEqualTo(2);
        assertThat(pool[0].areas()).isEqualTo(2);
    }

    @Test
    void aSlotWithLessThanAnEighthOfItsRoomLendsNothing() throws Exception {
        ReceiveAreaPool[] pool = new ReceiveAreaPool[1];
        RecvmmsgReader reader = reader(4, pool);
        send(1, RecvmmsgReader.MIN_LENT_SLOT_BYTES - 1, 5);
        assertThat(receiveLending(reader, 1).get(0).loan()).isNull();
        send(1, RecvmmsgReader.MIN_LENT_SLOT_BYTES, 6);
        Kept big = receiveLending(reader, 1).get(0);
        assertThat(big.loan()).isNotNull();
        assertThat(big.intact()).isTrue();
        big.loan().release();
    }

    @Test
    void anAreaNeverGivenBackLeavesTheBudgetOnceCollected() throws Exception {
        ReceiveAreaPool pool = ReceiveAreaPool.withBudget(AREA, AREA);
        ReceiveArea lost = pool.take();
        lost.lend(); // a loan never ended: its record was dropped unemitted
        assertThat(pool.take()).isNull();
        ReferenceQueue<ReceiveArea> collected = new ReferenceQueue<>();
        WeakReference<ReceiveArea> watched = new WeakReference<>(lost, collected);
        lost = null;
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (collected.remove(100) == null) { // the collector clears every weak reference to it at once
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the lost area was not collected");
            }
            System.gc();
        }
        assertThat(watched.refersTo(null)).isTrue();
        ReceiveArea next = pool.take();
        assertThat(next).as("the lost area left the budget").isNotNull();
        assertThat(pool.areas()).isEqualTo(1); // the new one
        next.release();
        assertThat(pool.freeAreas()).isEqualTo(1);
    }

    @Test
    void aLentSpeadRecordSerializesItsBytesAndEndsItsLoanWhenReleased() throws Exception {
        ReceiveAreaPool pool = ReceiveAreaPool.withBudget(AREA, AREA);
        ReceiveArea area = pool.take();
        byte[] packet = new byte[20_000];
        for (int i = 0; i < packet.length; i++) {
            packet[i] = (byte) (i * 7);
        }
        area.bytes().put(12_345, packet);
        SpeadPacketRecord r = SpeadPacketRecord.lent("s", 1, "s|1", area.lend(), 12_345, packet.length);
        assertThat(r.buffer()).isSameAs(area.bytes());
        assertThat(r.start()).isEqualTo(12_345);
        DataOutputSerializer out = new DataOutputSerializer(64);
        SpeadPacketRecordSerializer.INSTANCE.serialize(r, out);
        SpeadPacketRecord back = SpeadPacketRecordSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.toByteArray()).isEqualTo(packet);
        SpeadPacketRecord kept = SpeadPacketRecordSerializer.INSTANCE.copy(r);
        assertThat(kept).isNotSameAs(r);
        area.release(); // the reader's own use ends; the record's loan keeps the area
        assertThat(pool.take()).isNull();
        r.release();
        r.release(); // idempotent
        assertThat(pool.take()).isSameAs(area);
        assertThat(kept.toByteArray()).isEqualTo(packet);
        assertThatThrownBy(r::buffer).isInstanceOf(IllegalStateException.class);
    }
}
