package org.rawstream.sources.odin;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.rawstream.sources.echo.TestJson;
import org.rawstream.sources.echo.TestVectors;

/** The ODIN-Stream vectors: {@code <repo root>/testdata/vectors/odin} (also used by the job's ITCases). */
public final class OdinTestVectors {

    /** One packet of packets.json with its expectation. */
    public static final class VectorPacket {
        public final int position;
        public final byte[] bytes;
        public final Map<String, Object> expect;

        VectorPacket(int position, byte[] bytes, Map<String, Object> expect) {
            this.position = position;
            this.bytes = bytes;
            this.expect = expect;
        }

        public String kind() {
            return (String) expect.get("kind");
        }

        @Override
        public String toString() {
            return "packet " + position + " (" + kind() + ")";
        }
    }

    private OdinTestVectors() {
    }

    public static Path directory() {
        return TestVectors.path("odin");
    }

    /** The packets of packets.json with their expectations, in order. */
    public static List<VectorPacket> packets() {
        Map<String, Object> doc = TestJson.object(TestJson.parse(read("packets.json")));
        List<VectorPacket> packets = new ArrayList<>();
        for (Object o : TestJson.array(doc.get("packets"))) {
            Map<String, Object> p = TestJson.object(o);
            packets.add(new VectorPacket(packets.size(), HexFormat.of().parseHex((String) p.get("hex")),
                    TestJson.object(p.get("expect"))));
        }
        return packets;
    }

    public static byte[] bytes(String name) {
        return TestVectors.bytes("odin/" + name);
    }

    private static String read(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }
}
