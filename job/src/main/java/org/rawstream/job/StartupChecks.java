package org.rawstream.job;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.rawstream.job.config.InvalidSettingException;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.source.SourceKind;
import org.rawstream.job.source.SourceKinds;
import org.rawstream.sources.transport.EndpointOptions;
import org.rawstream.sources.transport.TcpOptions;
import org.rawstream.sources.transport.UdpOptions;

/**
 * What an embedded run checks before it submits the job, so that a mistake is one line and an
 * exit code instead of a restart loop: every listening port is given once and can be bound now,
 * and the output and state directories can be created and written. The exit codes are
 * RawStream's contract with scripts and the launcher (see docs/faults.md).
 */
public final class StartupChecks {
    /** Success. */
    public static final int EXIT_OK = 0;
    /** The job started and then failed (or could not be submitted). */
    public static final int EXIT_JOB_FAILED = 1;
    /** The command line could not be parsed (picocli's own code). */
    public static final int EXIT_USAGE = 2;
    /** A setting is unknown, unreadable, out of range, or a port is configured twice. */
    public static final int EXIT_INVALID_SETTING = 3;
    /** The machine refuses what the settings ask: a port cannot be bound, a directory cannot be created or written. */
    public static final int EXIT_UNAVAILABLE = 4;

    private StartupChecks() {}

    /** A failed check: its message is the one line printed; no stack trace. */
    public static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int exitCode;

        public StartupException(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /** A socket a source listens on: kinds name their transport by the type suffix ({@code -udp}, {@code -tcp}). */
    record Endpoint(String key, String host, int port, boolean tcp, boolean reusePort) {
        String describe() {
            return key + " = " + port + " (" + (tcp ? "TCP" : "UDP") + " on " + host + ")";
        }

        boolean overlaps(Endpoint other) {
            return port == other.port && tcp == other.tcp && !(reusePort && other.reusePort)
                    && (host.equals(other.host) || wildcard(host) || wildcard(other.host));
        }

        private static boolean wildcard(String host) {
            return host.equals("0.0.0.0") || host.equals("::") || host.isBlank();
        }
    }

    /** The listening endpoints of {@code sources}, as their kinds derive them ({@link SourceKind#endpoints}). */
    static List<Endpoint> endpoints(List<SourceConfig> sources) {
        List<Endpoint> result = new ArrayList<>();
        for (SourceConfig s : sources) {
            for (EndpointOptions e : SourceKinds.get(s.type()).endpoints(s)) {
                result.add(new Endpoint(s.key(NetworkKindOptions.PORT.key()), e.bindHost(), e.port(),
                        e instanceof TcpOptions, e instanceof UdpOptions udp && udp.reusePort()));
            }
        }
        return result;
    }

    /**
     * The dashboard's REST endpoint of an embedded run, when it asks for one fixed port
     * ({@code rest.bind-port} or {@code rest.port}; a range or 0 lets Flink choose): empty otherwise.
     */
    static List<Endpoint> restEndpoint(Configuration conf) {
        // rest.bind-port falls back to rest.port: name the key the user wrote.
        boolean bindPort = conf.toMap().containsKey(RestOptions.BIND_PORT.key());
        String key = bindPort ? RestOptions.BIND_PORT.key() : RestOptions.PORT.key();
        String value = bindPort ? conf.get(RestOptions.BIND_PORT) : Integer.toString(conf.get(RestOptions.PORT));
        int port;
        try {
            port = Integer.parseInt(value.trim());
        } catch (NumberFormatException range) {
            return List.of();
        }
        String host = conf.getOptional(RestOptions.BIND_ADDRESS).orElse("0.0.0.0");
        return port <= 0 || port > 65535 ? List.of() : List.of(new Endpoint(key, host, port, true, false));
    }

    /** Throws {@link InvalidSettingException} if two sources listen on the same port and transport. */
    static void checkPortsUnique(List<Endpoint> endpoints) {
        for (int i = 0; i < endpoints.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (endpoints.get(i).overlaps(endpoints.get(j))) {
                    throw new InvalidSettingException(endpoints.get(i).describe() + ": already used by "
                            + endpoints.get(j).key());
                }
            }
        }
    }

    /** Binds each endpoint once and releases it: a port in use or not allowed fails now, not in the job. */
    static void checkBindable(List<Endpoint> endpoints) throws StartupException {
        for (Endpoint e : endpoints) {
            try {
                InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(e.host()), e.port());
                if (e.tcp()) {
                    try (ServerSocket socket = new ServerSocket()) {
                        socket.setReuseAddress(true);
                        socket.bind(address);
                    }
                } else {
                    try (DatagramSocket socket = new DatagramSocket(null)) {
                        socket.bind(address);
                    }
                }
            } catch (IOException ex) {
                throw new StartupException(EXIT_UNAVAILABLE, e.describe() + ": cannot listen: " + ex.getMessage());
            }
        }
    }

    /** Creates {@code dir} if needed and writes and deletes a probe file in it. */
    static void checkWritableDirectory(String key, Path dir) throws StartupException {
        Path absolute = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
                throw new StartupException(EXIT_UNAVAILABLE, key + " = " + dir + ": not a directory");
            }
            Files.createDirectories(absolute);
            Path probe = Files.createTempFile(absolute, ".rawstream-write-check", ".tmp");
            Files.delete(probe);
        } catch (StartupException e) {
            throw e;
        } catch (IOException | SecurityException e) {
            throw new StartupException(EXIT_UNAVAILABLE, key + " = " + dir + ": cannot create or write it ("
                    + describe(e) + ")");
        }
    }

    private static String describe(Exception e) {
        String name = e.getClass().getSimpleName();
        String reason = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
                ? fs.getReason() : name.replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
        String file = e instanceof java.nio.file.FileSystemException fs ? fs.getFile() : e.getMessage();
        return reason + (file == null ? "" : ": " + file);
    }
}
