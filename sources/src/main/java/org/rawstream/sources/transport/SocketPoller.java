package org.rawstream.sources.transport;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Drives any number of {@link UdpReceiver}s and {@link TcpServer}s from one thread with one
 * {@link Selector}.
 *
 * <p>{@link #poll(long)} first drains what is already waiting (UDP sockets are read directly: one
 * {@code recvfrom} that finds nothing is cheaper than a {@code select} per batch), and only when
 * nothing was there blocks in {@code select} up to the timeout. {@link #wakeup()} is the one
 * method that may be called from another thread.
 *
 * <p>Receive time: the poller reads the wall clock once before it drains the sockets and once
 * after a blocking {@code select}, never per packet; {@link #receiveMillis()} is the time every
 * record decoded during that phase is stamped with.
 */
public final class SocketPoller implements Closeable {
    private final Selector selector;
    private final List<UdpReceiver<?>> udpReceivers = new ArrayList<>();
    private final List<TcpServer<?>> tcpServers = new ArrayList<>();
    /** See {@link #receiveMillis()}. */
    private long receiveMillis = Long.MIN_VALUE;

    private SocketPoller(Selector selector) {
        this.selector = selector;
    }

    public static SocketPoller open() throws IOException {
        return new SocketPoller(Selector.open());
    }

    public void add(UdpReceiver<?> receiver) throws IOException {
        receiver.register(selector);
        udpReceivers.add(receiver);
    }

    public void add(TcpServer<?> server) throws IOException {
        server.register(selector);
        tcpServers.add(server);
    }

    /** Forget a receiver (the caller closes it; closing cancels its key). */
    public void remove(UdpReceiver<?> receiver) {
        udpReceivers.remove(receiver);
    }

    public void remove(TcpServer<?> server) {
        tcpServers.remove(server);
    }

    /**
     * Receive whatever is waiting on every endpoint; if nothing was, wait up to
     * {@code timeoutMillis} (or until {@link #wakeup()}) and handle what became ready.
     *
     * @return a measure of the work done (datagrams, accepts, connection events); 0 = idle
     */
    public int poll(long timeoutMillis) throws IOException {
        try {
            tick();
            int work = 0;
            for (UdpReceiver<?> r : udpReceivers) {
                work += r.receiveBatch();
            }
            if (selector.selectNow() > 0) {
                work += handleSelected();
            }
            if (work == 0) {
                if (timeoutMillis > 0) {
                    selector.select(timeoutMillis);
                    tick();
                } else {
                    selector.selectNow();
                }
                work += handleSelected();
            }
            long now = System.nanoTime();
            for (TcpServer<?> s : tcpServers) {
                s.maintain(now);
            }
            return work;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The receive time (epoch milliseconds) of what the current or last {@link #poll} phase
     * received: the clock read just before the sockets were drained, so at most that phase's
     * length early. Never decreases (a clock stepped back holds it until the clock catches up),
     * so every packet received later is stamped with at least this value. Polling thread only.
     */
    public long receiveMillis() {
        return receiveMillis;
    }

    private void tick() {
        receiveMillis = Math.max(receiveMillis, System.currentTimeMillis());
    }

    private int handleSelected() {
        int work = 0;
        Set<SelectionKey> keys = selector.selectedKeys();
        Iterator<SelectionKey> it = keys.iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            Object attachment = key.attachment();
            if (attachment instanceof SelectionHandler) {
                work += ((SelectionHandler) attachment).onSelected(key);
            }
        }
        return work;
    }

    /** Make a blocked (or the next) {@link #poll(long)} return at once. Thread-safe. */
    public void wakeup() {
        selector.wakeup();
    }

    /** Closes the selector; the receivers and servers stay open (their owner closes them). */
    @Override
    public void close() throws IOException {
        selector.close();
    }
}
