package org.rawstream.bench;

import java.nio.ByteBuffer;

/** Cuts a byte stream into read-buffer-sized chunks, as a socket reader would hand them to a parser. */
final class ReadChunks {
    private ReadChunks() {
    }

    /**
     * @param kind "direct" (like the transport's socket read buffer) or "heap"
     */
    static ByteBuffer[] of(byte[] data, int chunkBytes, String kind) {
        boolean direct = !kind.equals("heap");
        int count = (data.length + chunkBytes - 1) / chunkBytes;
        ByteBuffer[] chunks = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            int from = i * chunkBytes;
            int length = Math.min(chunkBytes, data.length - from);
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(length) : ByteBuffer.allocate(length);
            chunks[i] = b.put(data, from, length).flip();
        }
        return chunks;
    }
}
