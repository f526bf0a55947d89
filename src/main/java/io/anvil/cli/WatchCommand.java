package io.anvil.cli;

import io.anvil.cli.watch.EventLine;
import io.anvil.cli.watch.FeedFilters;
import io.anvil.cli.watch.FeedFollower;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code anvil watch}: tails Anvil's event feed ({@code GET /v1/events}, docs/events.md) over a WebSocket and prints
 * one line per event ({@link EventLine}), or the event objects as JSON lines with {@code --json}. It resumes by
 * itself after a disconnect, from the last sequence number it printed, so no event is lost or printed twice
 * ({@link FeedFollower}). Connection notices go to stderr, events to stdout.
 *
 * <p>The WebSocket lives on a Vert.x event loop; this (main) thread only prints, so a slow terminal or pipe never
 * blocks the loop: past {@value #HIGH_WATER} queued events the follower stops reading and the server's own
 * backpressure takes over (it may close the feed with a resume point, which the follower follows).
 *
 * <p>Ctrl-C (SIGINT, or SIGTERM) closes the WebSocket and prints what was received before the JVM ends (status 130 /
 * 143, the signal's). Otherwise it runs until the server refuses it: status 2 when the server refuses the filters
 * (400) or the URL is bad, 3 when the resume point is older than the server's retention or ahead of its feed (410),
 * unless {@code --resync}; 1 for any other refusal.
 */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        description = "Tail the event feed (GET /v1/events): one line per state change, resuming after disconnects.",
        footer = {
            "",
            "Examples:",
            "  anvil watch",
            "  anvil watch --node n1,n2 --type 'baremetal.node.provision_set.*' --level warning,error",
            "  anvil watch --json --since 1234 | jq .payload.provision_state",
            "",
            "Runs until Ctrl-C. Exit status otherwise: 2 bad filters or URL; 3 resume point no longer held by the"
                    + " server (410; see --resync); 1 any other refusal."
        })
public final class WatchCommand implements java.util.concurrent.Callable<Integer> {
    static final int HIGH_WATER = 10_000;
    static final int LOW_WATER = 1_000;
    static final int EXIT_REFUSED = 2;
    static final int EXIT_TOO_OLD = 3;

    @Mixin
    ApiAccessOptions apiAccess = new ApiAccessOptions();

    @Option(names = "--url", description = "Anvil's API endpoint (default: $ANVIL_URL, else http://127.0.0.1:6385)")
    String url;

    @Option(
            names = "--node",
            split = ",",
            paramLabel = "NODE",
            description = "only these nodes (uuids or names; comma list or repeated)")
    List<String> nodes;

    @Option(
            names = "--type",
            split = ",",
            paramLabel = "PATTERN",
            description = "only event types matching a pattern, '*' as wildcard"
                    + " (e.g. 'baremetal.node.power_*', '*.error'; comma list or repeated)")
    List<String> types;

    @Option(
            names = "--level",
            split = ",",
            paramLabel = "LEVEL",
            description = "only these levels: info, warning, error (comma list or repeated)")
    List<String> levels;

    @Option(names = "--conductor-group", paramLabel = "GROUP", description = "only nodes of this conductor group")
    String conductorGroup;

    @Option(names = "--owner", paramLabel = "PROJECT", description = "only nodes owned by this project")
    String owner;

    @Option(
            names = "--since",
            paramLabel = "SEQ",
            description =
                    "replay the stored events after this sequence number, then follow live" + " (default: start live)")
    Long since;

    @Option(names = "--json", description = "print each event object as one line of JSON, as the server sent it")
    boolean json;

    @Option(
            names = "--resync",
            description = "when the resume point is older than the server's retention (410), say so on stderr and"
                    + " continue live instead of exiting with status 3 (the events in between are missed: re-read"
                    + " GET /v1/nodes)")
    boolean resync;

    @Option(
            names = {"-q", "--quiet"},
            description = "no connection notices on stderr (errors still)")
    boolean quiet;

    @Option(
            names = "--idle-timeout",
            defaultValue = "60",
            paramLabel = "SECONDS",
            description = "reconnect when nothing (not even the server's keep-alive ping) arrives for this long"
                    + " (default: ${DEFAULT-VALUE})")
    int idleTimeout;

    @Option(
            names = "--max-backoff",
            defaultValue = "15",
            paramLabel = "SECONDS",
            description = "longest wait between reconnection attempts (default: ${DEFAULT-VALUE})")
    int maxBackoff;

    /** A queue item: one event, parsed and as the server's text. */
    private record Received(JsonObject event, String text) {}

    /** A queue item that ends the printing loop: the follower's end, with its failure if any. */
    private record End(Throwable failure) {}

    @Override
    public Integer call() throws Exception {
        URI endpoint;
        try {
            endpoint = endpoint(url != null ? url : System.getenv("ANVIL_URL"));
        } catch (IllegalArgumentException e) {
            System.err.println("anvil watch: " + e.getMessage());
            return EXIT_REFUSED;
        }
        if (since != null && since < 0) {
            System.err.println("anvil watch: --since must be a sequence number (0 or more)");
            return EXIT_REFUSED;
        }
        FeedFollower.Options options = FeedFollower.Options.of(endpoint, filters(), since)
                .withResync(resync)
                .withIdleTimeout(Duration.ofSeconds(Math.max(1, idleTimeout)))
                .withBackoff(Duration.ofMillis(250), Duration.ofSeconds(Math.max(1, maxBackoff)))
                .withAccess(apiAccess.access());

        logToStderr();
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        AtomicBoolean paused = new AtomicBoolean();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        FeedFollower[] self = new FeedFollower[1];
        FeedFollower follower = new FeedFollower(vertx, options, new FeedFollower.Listener() {
            @Override
            public void event(JsonObject event, String text) {
                queue.add(new Received(event, text));
                if (queue.size() > HIGH_WATER && paused.compareAndSet(false, true)) {
                    self[0].pause();
                }
            }

            @Override
            public void notice(String message) {
                if (!quiet) {
                    queue.add(message);
                }
            }
        });
        self[0] = follower;

        CountDownLatch printed = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread hook = new Thread(
                () -> {
                    interrupted.set(true);
                    try {
                        MainThread.waitFor(follower.stop(), 10);
                        // let the main thread print what was already received before the JVM halts
                        printed.await(10, TimeUnit.SECONDS);
                        MainThread.waitFor(vertx.close(), 10);
                    } catch (Exception e) {
                        // halting anyway
                    }
                },
                "anvil-watch-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        follower.start().onComplete(ar -> queue.add(new End(ar.failed() ? ar.cause() : null)));

        PrintWriter out = new PrintWriter(
                new OutputStreamWriter(
                        new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                        StandardCharsets.UTF_8),
                false);
        End end;
        try {
            while (true) {
                Object item = queue.take();
                if (item instanceof End e) {
                    end = e;
                    break;
                }
                if (item instanceof Received r) {
                    out.println(json ? r.text() : EventLine.format(r.event()));
                } else {
                    out.flush();
                    System.err.println("anvil watch: " + item);
                }
                if (paused.get() && queue.size() < LOW_WATER && paused.compareAndSet(true, false)) {
                    follower.resume();
                }
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } finally {
            out.flush();
            printed.countDown();
        }
        if (interrupted.get()) {
            return 0;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return 0;
        }
        MainThread.waitFor(vertx.close(), 10);
        Throwable failure = end.failure();
        if (failure == null) {
            return 0;
        }
        System.err.println("anvil watch: " + failure.getMessage());
        if (failure instanceof FeedFollower.Refused r) {
            if (r.status() == 410) {
                System.err.println("anvil watch: re-read the nodes (GET /v1/nodes, `baremetal node list`), then run"
                        + " anvil watch without --since (or with --resync to continue live by itself)");
                return EXIT_TOO_OLD;
            }
            return r.status() == 400 ? EXIT_REFUSED : 1;
        }
        return 1;
    }

    /**
     * Stdout carries the events only (a `--json` consumer parses every line), so the few log lines Vert.x or Netty
     * may write (warnings and up) go to stderr.
     */
    private static void logToStderr() {
        if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx)) {
            return;
        }
        ch.qos.logback.classic.encoder.PatternLayoutEncoder encoder =
                new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("anvil watch: %level %logger{24} - %msg%n");
        encoder.start();
        ch.qos.logback.core.ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> stderr =
                new ch.qos.logback.core.ConsoleAppender<>();
        stderr.setContext(ctx);
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(stderr);
        root.setLevel(ch.qos.logback.classic.Level.WARN);
    }

    /** The feed filters the options name. */
    FeedFilters filters() {
        return new FeedFilters(nodes, types, levels, conductorGroup, owner);
    }

    /** The API endpoint: http(s):// or ws(s)://, host required; an optional path prefix is kept. */
    static URI endpoint(String value) {
        String v = value == null || value.isBlank() ? "http://127.0.0.1:6385" : value.trim();
        URI u;
        try {
            u = new URI(v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url " + v + " is not a URL: " + e.getMessage());
        }
        String scheme = u.getScheme();
        if (scheme == null || !List.of("http", "https", "ws", "wss").contains(scheme) || u.getHost() == null) {
            throw new IllegalArgumentException(
                    "--url " + v + " must look like http://HOST:PORT (or https://, ws://, wss://)");
        }
        return u;
    }
}
