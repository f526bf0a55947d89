package io.anvil.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code baremetal} CLI (python3-ironicclient) pointed at one Anvil without authentication, as the interop
 * tests run it. Created through {@link #at}, which skips the calling test where the CLI is missing (fails when
 * {@code CI=true}).
 */
public final class BaremetalCli {
    /** Generous: a CLI call on a busy 2-core CI machine starts a Python interpreter and may wait on the API. */
    private static final long TIMEOUT_S = 180;

    private final String executable;
    private final String endpoint;
    private final List<String> auth;

    private BaremetalCli(String executable, String endpoint, List<String> auth) {
        this.executable = executable;
        this.endpoint = endpoint;
        this.auth = auth;
    }

    /** The CLI talking to the Anvil API at {@code endpoint} (e.g. {@code http://127.0.0.1:6385}). */
    public static BaremetalCli at(String endpoint) {
        return at(endpoint, "--os-auth-type", "none");
    }

    /**
     * The CLI with its own authentication options (e.g. {@code --os-auth-type http_basic --os-username U
     * --os-password P}, {@code --os-cacert FILE}).
     */
    public static BaremetalCli at(String endpoint, String... authOptions) {
        return new BaremetalCli(TestServices.requireTool("baremetal"), endpoint, List.of(authOptions));
    }

    /** One finished CLI call. */
    public record Result(List<String> command, int exit, String out, String err) {
        /** Asserts a zero exit, with the command and both streams in the failure message. */
        public Result ok() {
            assertEquals(0, exit, () -> "baremetal " + String.join(" ", command) + " failed: " + err + out);
            return this;
        }

        /** Asserts a non-zero exit whose standard error says {@code fragment}. */
        public Result failed(String fragment) {
            assertNotEquals(0, exit, () -> "baremetal " + String.join(" ", command) + " should have failed: " + out);
            assertTrue(err.contains(fragment), () -> "stderr should contain \"" + fragment + "\": " + err);
            return this;
        }

        /** The output of a successful {@code -f json} show command. */
        public JsonObject json() {
            return new JsonObject(ok().out);
        }

        /** The output of a successful {@code -f json} list command. */
        public JsonArray jsonList() {
            return new JsonArray(ok().out);
        }

        /** Standard output and error together, for asserting what the user saw. */
        public String both() {
            return out + err;
        }
    }

    /** Runs {@code baremetal ARGS} and returns how it ended, whatever the exit status. */
    public Result call(String... args) {
        List<String> cmd = new ArrayList<>(List.of(executable));
        cmd.addAll(auth);
        cmd.addAll(List.of("--os-endpoint", endpoint));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).start();
            // stderr drains beside stdout so a chatty command cannot fill one pipe while we read the other
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            assertTrue(p.waitFor(TIMEOUT_S, TimeUnit.SECONDS), () -> "baremetal timed out: " + cmd);
            return new Result(List.of(args), p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError("baremetal " + String.join(" ", args) + ": " + e, e);
        }
    }

    /** Runs {@code baremetal ARGS}, asserts success and returns standard output. */
    public String run(String... args) {
        return call(args).ok().out();
    }

    /** Runs a {@code -f json} show command (the caller passes {@code -f json}) and parses its output. */
    public JsonObject json(String... args) {
        return call(args).json();
    }

    private static String read(InputStream in) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
