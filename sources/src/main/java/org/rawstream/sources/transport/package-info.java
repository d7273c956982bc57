/**
 * The network transport shared by every protocol: plain Java, no Flink.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link org.rawstream.sources.transport.UdpReceiver} — one UDP endpoint: non-blocking
 *       {@code DatagramChannel}, batched receive into reusable direct memory, each datagram
 *       handed to a {@link org.rawstream.sources.transport.DatagramDecoder} as a view with its
 *       sender; SO_REUSEPORT, multicast join, SO_RCVBUF request read back
 *       ({@link org.rawstream.sources.transport.UdpOptions}). How the socket is read is a
 *       {@code DatagramReader}: on Linux {@code RecvmmsgReader} ({@code recvmmsg} with UDP GRO
 *       through JNA, {@code LinuxSocketCalls}; it also locates where the kernel dropped
 *       datagrams and tells the decoder, {@code DatagramDecoder.dropped}), elsewhere
 *       {@code ChannelDatagramReader} (the JDK's receive).</li>
 *   <li>{@link org.rawstream.sources.transport.TcpServer} — one TCP listening endpoint: connection
 *       limit (extra connections accepted and closed, counted), one
 *       {@link org.rawstream.sources.transport.StreamDecoder} per connection fed every chunk read,
 *       responses through {@link org.rawstream.sources.transport.ConnectionContext} (non-blocking;
 *       flow control: a connection whose responses exceed its budget is not read until they
 *       drain), framing error = that connection closed, end of stream flushed to the decoder,
 *       idle and frame timeouts, linger, and a graceful stop (drain, last answers, shut output)
 *       ({@link org.rawstream.sources.transport.TcpOptions}).</li>
 *   <li>{@link org.rawstream.sources.transport.SocketPoller} — drives any number of both from one
 *       thread with one selector.</li>
 *   <li>{@link org.rawstream.sources.transport.TransportStats},
 *       {@link org.rawstream.sources.transport.DecodeErrorCounter},
 *       {@link org.rawstream.sources.transport.NamedCounters} — plain single-writer counters
 *       that the Flink reader exposes as metrics; decode errors are counted per kind and logged at
 *       most once per kind per 10 s.</li>
 *   <li>{@link org.rawstream.sources.transport.UdpSender},
 *       {@link org.rawstream.sources.transport.TcpSender} — paced senders for tests, the
 *       {@code send-*} commands and benchmarks.</li>
 * </ul>
 *
 * <h2>Rules for decoders</h2>
 * Decoders run on the receiving thread only. Buffers they are given are views valid during the
 * call: copy what you keep. Malformed input is reported through
 * {@link org.rawstream.sources.transport.DecodeErrors#error(String)} with a short camelCase kind
 * (it becomes the metric {@code decodeErrors_<kind>}) and dropped — never thrown. A stream decoder
 * returns {@code false} from {@code feed} only when the byte stream cannot be trusted any more.
 */
package org.rawstream.sources.transport;
