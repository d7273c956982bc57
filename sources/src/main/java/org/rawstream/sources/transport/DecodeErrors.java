package org.rawstream.sources.transport;

/**
 * Where decoders report malformed input. Each call counts one dropped packet/frame/value under
 * {@code kind} (a short, stable camelCase name such as {@code "badMagic"}: it becomes a metric
 * name); the implementation logs at a bounded rate, so decoders never log per packet themselves.
 */
@FunctionalInterface
public interface DecodeErrors {
    void error(String kind);
}
