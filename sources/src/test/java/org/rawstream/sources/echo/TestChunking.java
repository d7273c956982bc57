package org.rawstream.sources.echo;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/** Cuts a byte stream into chunks the way a socket might deliver it, reproducibly (seeded). */
public final class TestChunking {
    private TestChunking() {
    }

    /** Chunk-size plans every streaming test runs: 1 byte, all at once, and seeded random sizes. */
    public static List<String> plans() {
        return List.of("one-byte", "all-at-once", "random-7", "random-100", "random-4096", "random-65536");
    }

    /**
     * Feeds {@code data} in chunks following {@code plan}; each chunk is a fresh heap buffer
     * (reused storage would hide a parser that keeps views of the chunk).
     */
    public static void feed(byte[] data, String plan, long seed, Consumer<ByteBuffer> sink) {
        Random random = new Random(seed);
        int pos = 0;
        while (pos < data.length) {
            int n = Math.min(data.length - pos, size(plan, random));
            byte[] chunk = new byte[n + 2];
            System.arraycopy(data, pos, chunk, 1, n);
            sink.accept(ByteBuffer.wrap(chunk, 1, n)); // position/limit not at the array's edges
            pos += n;
        }
    }

    public static List<ByteBuffer> chunks(byte[] data, String plan, long seed) {
        List<ByteBuffer> chunks = new ArrayList<>();
        feed(data, plan, seed, chunks::add);
        return chunks;
    }

    private static int size(String plan, Random random) {
        if (plan.equals("one-byte")) {
            return 1;
        }
        if (plan.equals("all-at-once")) {
            return Integer.MAX_VALUE;
        }
        int max = Integer.parseInt(plan.substring("random-".length()));
        return 1 + random.nextInt(max);
    }
}
