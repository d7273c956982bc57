/**
 * One generic FLIP-27 source for every network protocol, laid out like Flink's Kafka connector
 * ({@code enumerator/}, {@code reader/}, {@code split/}).
 *
 * <h2>Using it for a protocol</h2>
 * <ol>
 *   <li>Implement {@link org.rawstream.sources.net.NetworkProtocol} (serializable): a name, and
 *       {@code createDatagramDecoder(DecoderContext)} and/or
 *       {@code createStreamDecoder(DecoderContext, ConnectionContext)}. The
 *       {@link org.rawstream.sources.net.DecoderContext} gives the split (endpoint), the subtask and
 *       named protocol counters that appear as metrics.</li>
 *   <li>Build the source: {@code NetworkSource.<T>builder().name(..).protocol(..).typeInfo(..)
 *       .udp(UdpOptions)/.tcp(TcpOptions)...build()} and add it with
 *       {@code env.fromSource(source, WatermarkStrategy.noWatermarks(), name)}. Each record's
 *       timestamp is its receive time and the reader emits receive-time watermarks itself
 *       ({@link org.rawstream.sources.net.ReceiveTimeWatermarks}); the strategy only has to stay
 *       silent.</li>
 *   <li>Responses: "received" mode writes through the {@code ConnectionContext} inside
 *       {@code feed}; "durable" mode returns true from {@code acknowledgesCheckpoints()} and
 *       implements {@link org.rawstream.sources.transport.AcknowledgingStreamDecoder}, whose
 *       {@code acknowledge(n)} is called on the fetcher thread once a checkpoint containing the
 *       connection's first {@code n} records has completed.</li>
 * </ol>
 *
 * <h2>Splits and failure</h2>
 * One split per endpoint (one per subtask for SO_REUSEPORT UDP endpoints), assigned statically.
 * A split is the endpoint's identity only: sockets cannot be rewound, so after a failure the
 * endpoints are reopened and what arrived meanwhile is lost (UDP) or must be re-sent by the peer
 * (TCP connections are reset; durable-mode peers resend what was not acknowledged).
 *
 * <h2>Bounded mode</h2>
 * {@code stopWhenIdle(idle, firstDataTimeout)} ends each split after {@code idle} without data
 * (TCP: and no open connection), or after {@code firstDataTimeout} if nothing ever arrived; tests
 * and one-shot captures use it.
 *
 * <h2>Metrics</h2>
 * Per subtask under {@code rawstream.<source name>}: {@code datagramsReceived},
 * {@code datagramBytesReceived}, {@code datagramsOversize}, {@code datagramsDroppedByKernel},
 * {@code datagramGaps} (places where the kernel dropped datagrams, each announced to the decoder),
 * {@code streamBytesReceived},
 * {@code bytesReceived}, {@code recordsDecoded}, {@code connectionsOpened/Closed/Rejected/
 * FramingError/OutputOverflow/IdleClosed/FrameTimeout}, {@code connectionsOpen} (gauge),
 * {@code readPauses}, {@code connectionBufferBytes(Max)} (gauges), {@code streamBytesDiscardedAtStop},
 * {@code bytesSent},
 * {@code acknowledgements}, {@code acknowledgementsDropped},
 * {@code checkpointsAwaitingAcknowledgement} (gauge), {@code receiveBufferGranted} (gauge),
 * {@code decodeErrors} and {@code decodeErrors_<kind>}, plus the protocol's own counters.
 */
package org.rawstream.sources.net;
