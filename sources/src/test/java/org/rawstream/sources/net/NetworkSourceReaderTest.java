package org.rawstream.sources.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.transport.TcpOptions;

/** The acknowledgement bookkeeping of the reader, driven by hand: snapshots, completions, aborts. */
// Flink's closeables declare "throws Exception"; try-with-resources on them is intended.
@SuppressWarnings("try")
class NetworkSourceReaderTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void acknowledgesExactlyWhatEachCompletedCheckpointContains() throws Exception {
        int port = Ports.freeTcpPort();
        NetworkSource<String> source = NetworkSource.<String>builder().protocol(new LineProtocol(true))
                .typeInfo(Types.STRING).tcp(TcpOptions.builder(port).build()).pollTimeout(Duration.ofMillis(20)).build();
        CollectingOutput output = new CollectingOutput();
        try (SourceReader<String, NetworkSplit> reader = source.createReader(new TestingReaderContext())) {
            reader.start();
            reader.addSplits(List.of(new NetworkSplit(NetworkSplit.Transport.TCP, "127.0.0.1", port, 0)));
            Ports.awaitTcpListening(port, Duration.ofSeconds(10));
            try (Socket first = connect(port); Socket second = connect(port)) {
                write(first, "a\nb\n");
                pollUntil(reader, output, 2);
                assertThat(reader.snapshotState(1)).hasSize(1);
                write(first, "c\n");
                pollUntil(reader, output, 3);
                reader.snapshotState(2);
                write(first, "d\n");
                pollUntil(reader, output, 4);

                reader.notifyCheckpointComplete(1);
                assertThat(read(first, 12)).isEqualTo("ack:0\nack:1\n");

                // Checkpoint 2 never completes; 3 covers it and the record after it.
                reader.snapshotState(3);
                reader.notifyCheckpointComplete(3);
                assertThat(read(first, 12)).isEqualTo("ack:2\nack:3\n");

                // Connections are acknowledged independently, with their own ordinals.
                write(second, "x\n");
                pollUntil(reader, output, 5);
                reader.snapshotState(4);
                reader.notifyCheckpointComplete(4);
                assertThat(read(second, 6)).isEqualTo("ack:0\n");
                assertThat(first.getInputStream().available()).isZero();
                // A completion with nothing new is harmless.
                reader.notifyCheckpointComplete(5);
            }
            assertThat(output.records).containsExactly("a", "b", "c", "d", "x");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void boundedModeEndsSplitsThatNeverSawDataAfterTheFirstDataTimeout() throws Exception {
        int udpPort = Ports.freeUdpPort();
        int tcpPort = Ports.freeTcpPort();
        NetworkSource<String> source = NetworkSource.<String>builder().protocol(new LineProtocol(false))
                .typeInfo(Types.STRING).udp("127.0.0.1", udpPort).tcp("127.0.0.1", tcpPort)
                .pollTimeout(Duration.ofMillis(20))
                .stopWhenIdle(Duration.ofMillis(200), Duration.ofMillis(300)).build();
        assertThat(source.getBoundedness()).isEqualTo(org.apache.flink.api.connector.source.Boundedness.BOUNDED);
        CollectingOutput output = new CollectingOutput();
        try (SourceReader<String, NetworkSplit> reader = source.createReader(new TestingReaderContext())) {
            reader.start();
            reader.addSplits(List.of(new NetworkSplit(NetworkSplit.Transport.UDP, "127.0.0.1", udpPort, 0),
                    new NetworkSplit(NetworkSplit.Transport.TCP, "127.0.0.1", tcpPort, 0)));
            reader.notifyNoMoreSplits();
            Ports.awaitTcpListening(tcpPort, Duration.ofSeconds(10));
            // One connection with data keeps the TCP split alive until it closes.
            try (Socket client = connect(tcpPort)) {
                write(client, "last\n");
                pollUntil(reader, output, 1);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            org.apache.flink.core.io.InputStatus status;
            do {
                assertThat(System.nanoTime()).as("end of input in time").isLessThan(deadline);
                status = reader.pollNext(output);
                if (status == org.apache.flink.core.io.InputStatus.NOTHING_AVAILABLE) {
                    try {
                        reader.isAvailable().get(100, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        // poll again
                    }
                }
            } while (status != org.apache.flink.core.io.InputStatus.END_OF_INPUT);
            assertThat(output.records).containsExactly("last");
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return s;
    }

    private static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    private static String read(Socket s, int bytes) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = in.readNBytes(bytes);
        return new String(buf, StandardCharsets.UTF_8);
    }

    private static void pollUntil(SourceReader<String, NetworkSplit> reader, CollectingOutput output, int count)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (output.records.size() < count) {
            if (System.nanoTime() > deadline) {
                fail("only " + output.records.size() + " of " + count + " records");
            }
            if (reader.pollNext(output) == org.apache.flink.core.io.InputStatus.NOTHING_AVAILABLE) {
                try {
                    reader.isAvailable().get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // poll again
                }
            }
        }
    }

    private static final class CollectingOutput implements ReaderOutput<String> {
        final List<String> records = new ArrayList<>();

        @Override
        public void collect(String record) {
            records.add(record);
        }

        @Override
        public void collect(String record, long timestamp) {
            records.add(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
        }

        @Override
        public void markIdle() {
        }

        @Override
        public void markActive() {
        }

        @Override
        public SourceOutput<String> createOutputForSplit(String splitId) {
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
        }
    }

    private static final class TestingReaderContext implements SourceReaderContext {
        @Override
        public SourceReaderMetricGroup metricGroup() {
            return UnregisteredMetricsGroup.createSourceReaderMetricGroup();
        }

        @Override
        public Configuration getConfiguration() {
            return new Configuration();
        }

        @Override
        public String getLocalHostName() {
            return "localhost";
        }

        @Override
        public int getIndexOfSubtask() {
            return 0;
        }

        @Override
        public void sendSplitRequest() {
        }

        @Override
        public void sendSourceEventToCoordinator(SourceEvent sourceEvent) {
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
        }
    }
}
