package org.rawstream.sources.pcap;

import java.io.IOException;

/** A capture file that is not pcap/pcapng, or whose framing is corrupt at a known offset. */
public final class CaptureFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public CaptureFormatException(String message) {
        super(message);
    }
}
