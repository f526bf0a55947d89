package io.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.Anvil;
import io.anvil.config.AnvilConfig;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimUser;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Key rotation on a real database (docs/security.md#rotating-the-key): secrets written in clear before encryption
 * and under key A are all under key B after {@code anvil secrets rotate} with keys A and B; with A removed the
 * conductor still powers the simulated BMCs with those passwords; a wrong or missing key is a clear error, and a
 * conductor with no key refuses to start.
 */
class SecretsRotationTest {
    private static final String PASSWORD = "Rot-Pw-31c8e6a2";
    private static final String KEY_A = "a:" + key(0x11);
    private static final String KEY_B = "b:" + key(0x22);

    private static String key(int fill) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) fill);
        return Base64.getEncoder().encodeToString(b);
    }

    @TempDir
    Path dir;

    private Vertx vertx;
    private DatabaseUrl db;
    private SimulatedFleet fleet;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        db = TestServices.freshDatabase();
        fleet = await(SimulatedFleet.start(
                vertx,
                new FleetOptions()
                        .count(2)
                        .host("127.0.0.1")
                        .basePort(0)
                        .users(List.of(new SimUser("admin", PASSWORD, Privilege.ADMINISTRATOR)))));
    }

    @AfterEach
    void tearDown() throws Exception {
        await(fleet.close());
        await(vertx.close());
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** A conductor on the test database with these secrets settings (no secrets.key unless given). */
    private Future<Anvil> start(Map<String, Object> secrets) {
        Map<String, Object> cfg = AnvilInstance.testConfig(db, "rotation-" + db.database());
        cfg.remove("secrets.key");
        cfg.putAll(secrets);
        return Anvil.start(vertx, AnvilConfig.of(cfg));
    }

    private HttpResponse<String> send(Anvil anvil, String method, String path, JsonObject body) throws Exception {
        HttpResponse<String> r = io.anvil.testsupport.PlainHttp.call(
                http, anvil.apiPort(), method, path, body == null ? null : body.encode());
        assertFalse(r.body().contains(PASSWORD), r::body);
        return r;
    }

    private String createNode(Anvil anvil, String name, int bmc) throws Exception {
        JsonObject body = new JsonObject()
                .put("driver", "ipmi")
                .put("name", name)
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("ipmi_address", "127.0.0.1")
                                .put("ipmi_port", fleet.bmc(bmc).port())
                                .put("ipmi_username", "admin")
                                .put("ipmi_password", PASSWORD));
        HttpResponse<String> r = send(anvil, "POST", "/v1/nodes", body);
        assertEquals(201, r.statusCode(), r::body);
        return new JsonObject(r.body()).getString("uuid");
    }

    /** Powers the node on through the API and waits for the action to end; the simulated BMC decides. */
    private void powerOn(Anvil anvil, String uuid, int bmc) throws Exception {
        HttpResponse<String> r =
                send(anvil, "PUT", "/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", "power on"));
        assertEquals(202, r.statusCode(), r::body);
        Conditions.await(vertx, "power on of " + uuid, Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
            try {
                JsonObject n = new JsonObject(
                        send(anvil, "GET", "/v1/nodes/" + uuid, null).body());
                return n.getValue("target_power_state") == null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(PowerState.ON, fleet.bmc(bmc).power(), "the BMC accepted the decrypted password");
    }

    private List<String> storedPasswords() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                PreparedStatement ps =
                        c.prepareStatement("SELECT driver_info->>'ipmi_password' FROM nodes ORDER BY id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private record Run(int exit, String out, String err) {}

    /** Runs an {@code anvil secrets} subcommand against the test database with these keys. */
    private Run cli(SecretsCommand.DatabaseCommand command, String keys, String... args) throws Exception {
        Path conf = dir.resolve("anvil-" + System.nanoTime() + ".yaml");
        Files.writeString(
                conf, "database:\n  url: \"" + TestServices.urlOf(db) + "\"\nsecrets:\n  key: \"" + keys + "\"\n");
        command.env = Map.of(); // the test's own configuration, whatever ANVIL_* the machine has
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> argv = new ArrayList<>(List.of("--config", conf.toString()));
        argv.addAll(List.of(args));
        int exit = new CommandLine(command)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(argv.toArray(new String[0]));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void rotateMovesEverySecretToTheNewKeyAndTheOldOneCanGo() throws Exception {
        // a node written before encryption (allow_plaintext, no key), then one under key A
        Anvil plain = await(start(Map.of("secrets.allow_plaintext", true)));
        String legacy = createNode(plain, "legacy", 0);
        await(plain.stop());
        assertEquals(List.of(PASSWORD), storedPasswords());
        Anvil underA = await(start(Map.of("secrets.key", KEY_A)));
        String fresh = createNode(underA, "fresh", 1);
        await(underA.stop());
        assertTrue(storedPasswords().get(1).startsWith("anvil:enc:v1:a:"), storedPasswords()::toString);

        Run before = cli(new SecretsCommand.Check(), KEY_A);
        assertEquals(1, before.exit(), before::toString);
        assertTrue(before.out().contains("1 secret values in clear (not encrypted)"), before.out());
        assertTrue(before.out().contains("1 secret values under key 'a' (active)"), before.out());

        // key B added (last listed: it encrypts); one node per transaction
        Run rotated = cli(new SecretsCommand.Rotate(), KEY_A + "," + KEY_B, "--batch-size", "1");
        assertEquals(0, rotated.exit(), rotated::toString);
        assertTrue(rotated.out().contains("re-encrypted 1/2 nodes"), rotated.out());
        assertTrue(rotated.out().contains("re-encrypted 2/2 nodes (2 rewritten)"), rotated.out());
        List<String> stored = storedPasswords();
        assertTrue(stored.stream().allMatch(p -> p.startsWith("anvil:enc:v1:b:")), stored::toString);
        assertFalse(String.join(" ", stored).contains(PASSWORD));

        // idempotent: nothing left to do
        Run again = cli(new SecretsCommand.Rotate(), KEY_A + "," + KEY_B);
        assertTrue(again.out().contains("done: 2 nodes, 0 rewritten"), again.out());
        assertEquals(stored, storedPasswords());

        // key A removed: everything is still readable, and the BMCs take the passwords
        Run after = cli(new SecretsCommand.Check(), KEY_B);
        assertEquals(0, after.exit(), after::toString);
        assertTrue(after.out().contains("2 secret values under key 'b' (active)"), after.out());
        Anvil underB = await(start(Map.of("secrets.key", KEY_B)));
        powerOn(underB, legacy, 0);
        powerOn(underB, fresh, 1);
        await(underB.stop());
    }

    @Test
    void aWrongOrMissingKeyIsAClearErrorAndNoKeyNoStart() throws Exception {
        Anvil underB = await(start(Map.of("secrets.key", KEY_B)));
        String uuid = createNode(underB, "keyed", 0);
        await(underB.stop());

        // the same id with other bytes: the GCM tag says so, the value never becomes garbage
        Anvil impostor = await(start(Map.of("secrets.key", "b:" + key(0x33))));
        HttpResponse<String> refused = send(
                impostor, "PUT", "/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", "power on"));
        assertEquals(500, refused.statusCode(), refused::body);
        assertTrue(
                refused.body()
                        .contains("driver_info.ipmi_password of node " + uuid + " cannot be decrypted with key 'b'"),
                refused::body);
        assertEquals(PowerState.OFF, fleet.bmc(0).power());
        // the API still shows the node, masked
        HttpResponse<String> shown = send(impostor, "GET", "/v1/nodes/" + uuid, null);
        assertEquals(200, shown.statusCode());
        assertEquals(
                "******",
                new JsonObject(shown.body()).getJsonObject("driver_info").getString("ipmi_password"));
        await(impostor.stop());

        // rotate with only an unrelated key stops at the first value it cannot read, and changes nothing
        List<String> before = storedPasswords();
        Run missing = cli(new SecretsCommand.Rotate(), "c:" + key(0x44));
        assertEquals(1, missing.exit(), missing::toString);
        assertTrue(
                missing.err().contains("is encrypted with key 'b', which is not configured (configured: c)"),
                missing.err());
        assertEquals(before, storedPasswords());

        // no key and no allow_plaintext: no start, and the message says what to set
        Throwable noKey = start(Map.of())
                .toCompletionStage()
                .toCompletableFuture()
                .handle((a, e) -> e)
                .get();
        assertTrue(String.valueOf(noKey).contains("no secrets key is configured"), String.valueOf(noKey));
        assertTrue(String.valueOf(noKey).contains("secrets.key_file"), String.valueOf(noKey));
    }
}
