package org.rawstream.job.spead;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.rawstream.sources.spead.SpeadFlavour;
import org.rawstream.sources.spead.SpeadSender;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code send-spead}: sends SPEAD heaps over UDP or TCP (demo, tests, benchmark). */
@Command(name = "send-spead", mixinStandardHelpOptions = true,
        description = {"Send SPEAD heaps to a RawStream SPEAD source over UDP or TCP.",
            "Each heap: a big-endian u32 'data' item of --heap-size bytes and an immediate 'timestamp'; "
                    + "descriptors in the first heap, a stop heap at the end."})
public final class SendSpeadCommand implements Callable<Integer> {

    @Option(names = "--udp", paramLabel = "HOST:PORT",
            description = {"Send over UDP, one packet per datagram (default 127.0.0.1:7148, see --no-gso). Repeat for several targets",
                "(several endpoints, hosts or multicast groups): each gets --threads senders and its own counter range."})
    List<String> udp;

    @Option(names = "--tcp", paramLabel = "HOST:PORT", description = "Send over TCP, packets back to back.")
    String tcp;

    @Option(names = "--flavour", defaultValue = "SPEAD-64-48", description = "SPEAD-64-48 or SPEAD-64-40 (default ${DEFAULT-VALUE}).")
    String flavour;

    @Option(names = "--heap-size", defaultValue = "1048576", description = "Bytes of the data item per heap (default ${DEFAULT-VALUE}).")
    int heapSize;

    @Option(names = "--packet-size", defaultValue = "8972", description = "Largest packet, header included (default ${DEFAULT-VALUE}).")
    int packetSize;

    @Option(names = "--heaps", defaultValue = "10", description = "Heaps per sender (default ${DEFAULT-VALUE}).")
    long heaps;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "GBPS",
            description = "Total rate in Gb/s on the wire, 0 = as fast as possible (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--threads", defaultValue = "1",
            description = "Parallel senders, each its own socket (its own stream), sharing the rate (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--first-cnt", defaultValue = "1", description = "First heap counter (default ${DEFAULT-VALUE}).")
    long firstCnt;

    @Option(names = "--cnt-step", defaultValue = "1", description = "Heap counter step (default ${DEFAULT-VALUE}).")
    long cntStep;

    @Option(names = "--target-cnt-stride", defaultValue = "4294967296",
            description = "Heap counters of the k-th target (from 0) start at --first-cnt + k * this (default ${DEFAULT-VALUE} = 2^32).")
    long targetCntStride;

    @Option(names = "--no-stop", description = "Do not end the stream with a stop heap.")
    boolean noStop;

    @Option(names = "--no-gso", description = {"UDP: one send call per packet. By default a call hands the kernel up to 64 KiB",
        "of full-size packets to cut into datagrams (UDP GSO, as spead2's sender does); the datagrams are the same."})
    boolean noGso;

    @Option(names = "--fixed-data", description = "Send the first heap's data in every heap (less sender CPU).")
    boolean fixedData;

    @Override
    public Integer call() throws Exception {
        List<String> targets = tcp != null ? List.of(tcp) : udp == null || udp.isEmpty() ? List.of("127.0.0.1:7148") : udp;
        List<SpeadSender> senders = new ArrayList<>();
        for (int k = 0; k < targets.size(); k++) {
            for (int t = 0; t < threads; t++) {
                senders.add(sender(targets.get(k), firstCnt + k * targetCntStride, rate / threads / targets.size()));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(senders.size());
        try {
            List<Future<SpeadSender.Result>> results = new ArrayList<>();
            for (SpeadSender s : senders) {
                results.add(pool.submit(s::run));
            }
            long heapsSent = 0;
            long packets = 0;
            long bytes = 0;
            long nanos = 0;
            long calls = 0;
            String refusal = null;
            for (Future<SpeadSender.Result> f : results) {
                SpeadSender.Result r = f.get();
                heapsSent += r.heaps;
                packets += r.packets;
                bytes += r.bytes;
                nanos = Math.max(nanos, r.nanos);
                calls += r.writeCalls;
                refusal = refusal != null ? refusal : r.segmentationRefusal;
            }
            System.out.printf(Locale.ROOT, "send-spead: %d heaps, %d packets in %d send calls%s, %d bytes in %.3f s: %.3f Gb/s, %.1f heaps/s%n",
                    heapsSent, packets, calls, refusal == null ? "" : " (" + refusal + ")", bytes, nanos / 1e9,
                    bytes * 8.0 / Math.max(1, nanos), heapsSent / (nanos / 1e9));
        } finally {
            pool.shutdownNow();
        }
        return 0;
    }

    private SpeadSender sender(String target, long first, double gbps) {
        SpeadSender.Builder b = SpeadSender.builder().flavour(SpeadFlavour.parse(flavour)).heapSize(heapSize)
                .packetSize(packetSize).heaps(heaps).rateGbps(gbps).firstHeapCnt(first)
                .heapCntStep(cntStep).sendStop(!noStop).refillData(!fixedData).segmentationOffload(!noGso);
        return tcp != null ? b.tcp(host(target), port(target)).build() : b.udp(host(target), port(target)).build();
    }

    private static String host(String hostPort) {
        return hostPort.substring(0, hostPort.lastIndexOf(':'));
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
