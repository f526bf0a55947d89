package io.anvil.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * openstacksdk (Debian's python3-openstacksdk) pointed at one Anvil through a clouds.yaml with {@code auth_type:
 * none}: runs a Python script from the test resources (under {@code interop/}) that drives {@code conn.baremetal},
 * asserts as it goes and prints a JSON report as its last line. Created through {@link #at}, which skips the calling
 * test where no python3 imports {@code openstack} (fails when {@code CI=true}).
 */
public final class OpenStackSdk {
    private static final long TIMEOUT_S = 300;

    private final String python;
    private final String endpoint;

    private OpenStackSdk(String python, String endpoint) {
        this.python = python;
        this.endpoint = endpoint;
    }

    /** The SDK talking to the Anvil API at {@code endpoint}; the cloud is named {@code anvil}. */
    public static OpenStackSdk at(String endpoint) {
        return new OpenStackSdk(pythonWithSdk(), endpoint);
    }

    /**
     * Runs {@code interop/<script>} with {@code args} and returns its report (the last line of its output), after
     * asserting a zero exit and that no stream mentions {@code forbidden} (a secret the test planted), if given.
     */
    public JsonObject run(String script, String forbidden, String... args) {
        try {
            Path dir = Files.createTempDirectory("anvil-sdk");
            Path clouds = dir.resolve("clouds.yaml");
            Files.writeString(
                    clouds,
                    "clouds:\n  anvil:\n    auth_type: none\n    auth:\n      endpoint: " + endpoint + "\n"
                            + "    baremetal_endpoint_override: " + endpoint + "\n");
            Path copy = dir.resolve(script);
            try (InputStream in = OpenStackSdk.class.getResourceAsStream("/interop/" + script)) {
                assertNotNull(in, "interop/" + script + " missing from the test classpath");
                Files.copy(in, copy);
            }
            List<String> cmd = new ArrayList<>(List.of(python, copy.toString()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("OS_CLIENT_CONFIG_FILE", clouds.toString());
            pb.environment().put("HOME", dir.toString()); // no user clouds.yaml or cache leaks in
            Process p = pb.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            assertTrue(p.waitFor(TIMEOUT_S, TimeUnit.SECONDS), () -> "the SDK script " + script + " timed out");
            String stderr = err.get(30, TimeUnit.SECONDS);
            assertEquals(0, p.exitValue(), () -> "the SDK script " + script + " failed:\n" + stderr + out);
            if (forbidden != null) {
                assertTrue(!(out + stderr).contains(forbidden), () -> "a secret leaked: " + out + stderr);
            }
            List<String> lines = out.strip().lines().toList();
            assertTrue(!lines.isEmpty(), () -> "the SDK script " + script + " printed no report: " + stderr);
            return new JsonObject(lines.get(lines.size() - 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError("the SDK script " + script + ": " + e, e);
        }
    }

    /**
     * The first interpreter that imports openstack: Debian installs the SDK for the system python3, which a python3
     * earlier on PATH (pyenv, a venv) may not see.
     */
    private static String pythonWithSdk() {
        Set<String> candidates = new LinkedHashSet<>();
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            candidates.add(new File(dir, "python3").getAbsolutePath());
        }
        candidates.add("/usr/bin/python3");
        for (String candidate : candidates) {
            if (imports(candidate)) {
                return candidate;
            }
        }
        String msg = "openstacksdk is not installed (apt-get install python3-openstacksdk): no python3 on " + candidates
                + " imports openstack";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(msg + "; it is required when CI=true");
        }
        Assumptions.abort(msg + "; skipping");
        return null;
    }

    private static boolean imports(String python) {
        if (!new File(python).canExecute()) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(python, "-c", "import openstack")
                    .redirectErrorStream(true)
                    .start();
            read(p.getInputStream());
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
