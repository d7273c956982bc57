package org.rawstream.job.source;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rawstream.job.echo.EchoSourceKind;
import org.rawstream.job.generator.GeneratorSourceKind;
import org.rawstream.job.msgpack.MsgpackSourceKind;
import org.rawstream.job.odin.OdinSourceKind;
import org.rawstream.job.pcap.PcapSourceKind;
import org.rawstream.job.spead.SpeadSourceKind;

/**
 * Registry of source kinds by {@code type}. Protocol integrations register here (one line each):
 * spead-udp, spead-tcp, odin-udp, odin-tcp, echo-tcp, msgpack-tcp, msgpack-udp, pcap.
 */
public final class SourceKinds {
    private static final Map<String, SourceKind> KINDS = index(List.of(
            new GeneratorSourceKind(),
            SpeadSourceKind.udp(),
            SpeadSourceKind.tcp(),
            OdinSourceKind.udp(),
            OdinSourceKind.tcp(),
            new EchoSourceKind(),
            MsgpackSourceKind.tcp(),
            MsgpackSourceKind.udp(),
            new PcapSourceKind()
            // protocol kinds are added here
    ));

    private SourceKinds() {}

    private static Map<String, SourceKind> index(List<SourceKind> kinds) {
        Map<String, SourceKind> map = new LinkedHashMap<>();
        for (SourceKind kind : kinds) {
            if (map.put(kind.type(), kind) != null) {
                throw new IllegalStateException("duplicate source kind " + kind.type());
            }
        }
        return Collections.unmodifiableMap(map);
    }

    public static SourceKind get(String type) {
        SourceKind kind = KINDS.get(type);
        if (kind == null) {
            throw new IllegalArgumentException("unknown source type '" + type + "'; known: " + KINDS.keySet());
        }
        return kind;
    }

    public static Map<String, SourceKind> all() {
        return KINDS;
    }
}
