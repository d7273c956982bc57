package org.rawstream.job.echo;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.rawstream.sources.echo.EchoClient;
import org.rawstream.sources.echo.EchoClientResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code send-echo}: pipelined echo requests to a server, checking every response. */
@Command(name = "send-echo", mixinStandardHelpOptions = true,
        description = "Send pipelined echo requests (random bodies) and check each response answers its request in order.")
public final class SendEchoCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "" + EchoSourceKind.DEFAULT_PORT, description = "Server port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--connections", defaultValue = "1", description = "Parallel connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--count", defaultValue = "1000", description = "Requests in total (default ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--rate", defaultValue = "0", description = "Requests per second over all connections; 0 = unlimited (default).")
    double rate;

    @Option(names = "--window", defaultValue = "1024", description = "Most unanswered requests per connection (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--body-bytes", defaultValue = "64", description = "Body size of each request (default ${DEFAULT-VALUE}).")
    int bodyBytes;

    @Option(names = "--timeout-seconds", defaultValue = "30",
            description = "Longest wait for the next response (durable mode: a few checkpoint intervals; default ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        EchoClientResult result = client(host, port, connections, count, rate, bodyBytes, window,
                Duration.ofMillis((long) (timeoutSeconds * 1000))).build().run();
        System.out.println("send-echo: " + result);
        return result.complete() ? 0 : 1;
    }

    static EchoClient.Builder client(String host, int port, int connections, long count, double rate, int bodyBytes,
            int window, Duration timeout) {
        return EchoClient.builder().host(host).port(port).connections(connections).count(count).rate(rate)
                .bodyBytes(bodyBytes).window(window).responseTimeoutMillis(Math.max(1, timeout.toMillis()))
                .seed(System.nanoTime());
    }
}
