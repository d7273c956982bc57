package org.rawstream.job.msgpack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rawstream.sources.msgpack.MsgpackLimits;
import org.rawstream.sources.msgpack.MsgpackSender;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code send-msgpack}: MessagePack values over TCP (back to back) or UDP (whole values per datagram). */
@Command(name = "send-msgpack", mixinStandardHelpOptions = true,
        description = "Send MessagePack values: sample records, or the values of a file written by a Packer.")
public final class SendMsgpackCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Receiver host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", description = "Receiver port (default " + MsgpackSourceKind.DEFAULT_TCP_PORT + " for TCP, "
            + MsgpackSourceKind.DEFAULT_UDP_PORT + " for UDP).")
    Integer port;

    @Option(names = "--udp", description = "Send over UDP, as many whole values per datagram as fit --datagram-bytes.")
    boolean udp;

    @Option(names = "--file", paramLabel = "FILE", description = "Values to send: a file of back-to-back MessagePack values.")
    Path file;

    @Option(names = "--count", defaultValue = "1000", description = "Sample records to generate when no --file is given (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--repeat", defaultValue = "1", description = "Send the values this many times (default ${DEFAULT-VALUE}).")
    long repeat;

    @Option(names = "--rate", defaultValue = "0", description = "Values (TCP) or datagrams (UDP) per second; 0 = unlimited (default).")
    double rate;

    @Option(names = "--datagram-bytes", defaultValue = "1400", description = "UDP: largest datagram (default ${DEFAULT-VALUE}).")
    int datagramBytes;

    @Override
    public Integer call() throws Exception {
        List<byte[]> values = file != null
                ? MsgpackSender.splitValues(Files.readAllBytes(file), MsgpackLimits.builder().maxValueBytes(Integer.MAX_VALUE - 8).build())
                : MsgpackSender.sampleValues(count, 1);
        if (udp) {
            int target = port != null ? port : MsgpackSourceKind.DEFAULT_UDP_PORT;
            System.out.println("send-msgpack (udp " + host + ":" + target + ", " + values.size() + " values): "
                    + MsgpackSender.sendUdp(host, target, values, repeat, rate, datagramBytes));
        } else {
            int target = port != null ? port : MsgpackSourceKind.DEFAULT_TCP_PORT;
            System.out.println("send-msgpack (tcp " + host + ":" + target + ", " + values.size() + " values): "
                    + MsgpackSender.sendTcp(host, target, values, repeat, rate));
        }
        return 0;
    }
}
