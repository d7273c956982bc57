package org.rawstream.job.source;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;

/** Writing to a job's socket the way a real peer's writes arrive: in chunks of varying size. */
public final class Wire {
    private Wire() {}

    /** Writes {@code bytes} in seeded random chunks of 1..4096 bytes, one write each. */
    public static void writeInChunks(OutputStream out, byte[] bytes, long seed) throws IOException {
        Random random = new Random(seed);
        for (int pos = 0; pos < bytes.length; ) {
            int n = Math.min(bytes.length - pos, 1 + random.nextInt(4096));
            out.write(bytes, pos, n);
            pos += n;
        }
        out.flush();
    }
}
