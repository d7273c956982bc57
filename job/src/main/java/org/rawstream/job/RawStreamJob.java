package org.rawstream.job;

/** Entry point of the RawStream job (placeholder until the job spine lands). */
public final class RawStreamJob {
    private RawStreamJob() {}

    public static void main(String[] args) {
        System.out.println("RawStream: the job spine is not built yet.");
    }
}
