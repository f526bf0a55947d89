package io.anvil.cli;

import io.anvil.cli.watch.ApiAccess;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code anvil console NODE}: attaches the terminal to a node's serial console ({@code GET /v1/nodes/{id}/console},
 * docs/console.md). On a terminal, stdin goes to raw mode ({@code stty raw -echo}, restored on exit) so keys reach the
 * host as typed; {@code ~.} at the start of a line detaches, {@code ~~} sends one {@code ~} (ssh's convention). The
 * server's control messages (input refused, console ended) print to stderr.
 */
@Command(
        name = "console",
        mixinStandardHelpOptions = true,
        description = "Attach to a node's serial console (GET /v1/nodes/{id}/console); '~.' detaches.",
        footer = {"", "Exit status: 0 detached; 1 the console ended or was refused; 2 bad URL."})
public final class ConsoleCommand implements java.util.concurrent.Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NODE", description = "node uuid or name")
    String node;

    @Mixin
    ApiAccessOptions apiAccess = new ApiAccessOptions();

    @Option(names = "--url", description = "Anvil's API endpoint (default: $ANVIL_URL, else http://127.0.0.1:6385)")
    String url;

    @Option(names = "--escape", description = "escape character (default: ~)")
    char escape = '~';

    @Override
    public Integer call() throws Exception {
        URI endpoint;
        try {
            endpoint = WatchCommand.endpoint(url != null ? url : System.getenv("ANVIL_URL"));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        PrintStream out = System.out;
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        ApiAccess access = apiAccess.access();
        WebSocketClient client =
                vertx.createWebSocketClient(access.applyTo(new WebSocketClientOptions().setMaxFrameSize(1 << 20)));
        CompletableFuture<Integer> done = new CompletableFuture<>();
        boolean ssl = "https".equals(endpoint.getScheme()) || "wss".equals(endpoint.getScheme());
        WebSocket ws;
        try {
            ws = client.connect(access.applyTo(new WebSocketConnectOptions()
                            .setHost(endpoint.getHost())
                            .setPort(endpoint.getPort() > 0 ? endpoint.getPort() : ssl ? 443 : 80)
                            .setSsl(ssl)
                            .setURI(endpoint.getRawPath().replaceAll("/$", "") + "/v1/nodes/" + node + "/console")))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("anvil console: cannot attach to " + node + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            vertx.close();
            return 1;
        }
        ws.binaryMessageHandler(b -> {
            out.write(b.getBytes(), 0, b.length());
            out.flush();
        });
        ws.textMessageHandler(t -> {
            JsonObject c = new JsonObject(t);
            String kind = c.getString("control", "");
            if (!kind.equals("attached")) {
                System.err.print("\r\n[anvil console: " + c.getString("message", kind) + "]\r\n");
            }
            if (kind.equals("ended") || kind.equals("idle_timeout")) {
                done.complete(1);
            }
        });
        ws.closeHandler(v -> done.complete(1));
        System.err.print("[anvil console: attached to " + node + "; " + escape + ". detaches]\r\n");
        Terminal terminal = Terminal.raw();
        Thread reader = new Thread(() -> pump(System.in, ws, done), "console-stdin");
        reader.setDaemon(true);
        reader.start();
        try {
            return done.get();
        } finally {
            terminal.restore();
            ws.close();
            vertx.close();
        }
    }

    private void pump(InputStream in, WebSocket ws, CompletableFuture<Integer> done) {
        EscapeFilter filter = new EscapeFilter(escape);
        byte[] buf = new byte[1024];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                EscapeFilter.Result r = filter.feed(buf, n);
                if (r.send().length > 0) {
                    ws.writeBinaryMessage(Buffer.buffer(r.send()));
                }
                if (r.detach()) {
                    done.complete(0);
                    return;
                }
            }
        } catch (IOException e) {
            // stdin closed: detach
        }
        done.complete(0);
    }

    /** ssh-style escapes: the escape character right after a line start (or at the very start) is special. */
    static final class EscapeFilter {
        record Result(byte[] send, boolean detach) {}

        private final char escape;
        private boolean lineStart = true;
        private boolean pending;

        EscapeFilter(char escape) {
            this.escape = escape;
        }

        Result feed(byte[] buf, int n) {
            ByteArrayOutputStream send = new ByteArrayOutputStream(n);
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (pending) {
                    pending = false;
                    if (b == '.') {
                        return new Result(send.toByteArray(), true);
                    }
                    send.write(escape); // "~~" sends one "~"; "~x" sends both
                    if (b != escape) {
                        send.write(b);
                    }
                } else if (lineStart && b == escape) {
                    pending = true;
                    continue;
                } else {
                    send.write(b);
                }
                lineStart = b == '\r' || b == '\n';
            }
            return new Result(send.toByteArray(), false);
        }
    }

    /** The controlling terminal in raw mode while attached, via stty; nothing when stdin is not a terminal. */
    static final class Terminal {
        private final String saved;

        private Terminal(String saved) {
            this.saved = saved;
        }

        static Terminal raw() {
            if (System.console() == null) {
                return new Terminal(null);
            }
            String saved = stty("-g");
            if (saved == null) {
                return new Terminal(null);
            }
            stty("raw -echo");
            Terminal t = new Terminal(saved.trim());
            Runtime.getRuntime().addShutdownHook(new Thread(t::restore));
            return t;
        }

        synchronized void restore() {
            if (saved != null) {
                stty(saved);
            }
        }

        private static String stty(String args) {
            try {
                Process p = new ProcessBuilder("sh", "-c", "stty " + args + " < /dev/tty")
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return p.waitFor() == 0 ? out : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
