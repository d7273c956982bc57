package org.rawstream.job.odin;

import java.util.concurrent.Callable;
import org.apache.flink.util.TimeUtils;
import org.rawstream.sources.odin.OdinSender;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code send-odin}: a simulated ODIN-Stream device. Announces a named schema (identifier plus
 * extended identifier) and repeats it every N data packets, sends data packets of a given size
 * at a rate, and now and then an event; over UDP or TCP (COBS frames with CRC-16).
 */
@Command(name = "send-odin", mixinStandardHelpOptions = true,
        description = "Send ODIN-Stream packets (schema, data at a rate, occasional events) over UDP or TCP.")
public final class SendOdinCommand implements Callable<Integer> {

    @Option(names = "--host", description = "Target host (default ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Target port (default: 9410 for UDP, 9411 for TCP, as the odin kinds).")
    Integer port;

    @Option(names = "--tcp", description = "Send over TCP (COBS frames) instead of UDP.")
    boolean tcp;

    @Option(names = "--rate", description = "Data packets per second, 0 = as fast as possible (default ${DEFAULT-VALUE}).")
    double rate = 1000;

    @Option(names = "--count", description = "Data packets to send (default ${DEFAULT-VALUE}).")
    long count = 10_000;

    @Option(names = "--duration", description = "Stop after this long, e.g. 30s (default: when --count is sent).")
    String duration;

    @Option(names = "--packet-bytes", description = "Length of each data packet, 11..65010 (default ${DEFAULT-VALUE}).")
    int packetBytes = 64;

    @Option(names = "--schema-every", description = "Repeat the schema after this many data packets (default ${DEFAULT-VALUE}).")
    int schemaEvery = 100;

    @Option(names = "--event-every", description = "Send an event after this many data packets, 0 = never (default ${DEFAULT-VALUE}).")
    int eventEvery = 1000;

    @Option(names = "--connect-timeout", description = "TCP: retry a refused connection this long (default ${DEFAULT-VALUE}).")
    String connectTimeout = "10s";

    private int targetPort() {
        return port != null ? port : tcp ? 9411 : 9410;
    }

    @Override
    public Integer call() throws Exception {
        OdinSender.Builder builder = OdinSender.builder()
                .host(host)
                .port(targetPort())
                .transport(tcp ? OdinSender.Transport.TCP : OdinSender.Transport.UDP)
                .rate(rate)
                .count(count)
                .dataPacketLength(packetBytes)
                .schemaEvery(schemaEvery)
                .eventEvery(eventEvery)
                .connectTimeout(TimeUtils.parseDuration(connectTimeout));
        if (duration != null) {
            builder.count(Long.MAX_VALUE).duration(TimeUtils.parseDuration(duration));
        }
        OdinSender sender = builder.build();
        System.out.printf("send-odin: %s to %s:%d, schema identifier %d (%d entries, %d-byte data packets)%n",
                tcp ? "TCP" : "UDP", host, targetPort(), sender.schema().identifier(),
                sender.schema().entryCount(), sender.schema().dataPacketLength());
        System.out.println("send-odin: " + sender.run());
        return 0;
    }
}
