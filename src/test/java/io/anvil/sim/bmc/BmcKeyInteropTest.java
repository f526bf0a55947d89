package io.anvil.sim.bmc;

import static io.anvil.sim.bmc.SimTestSupport.await;
import static io.anvil.sim.bmc.SimTestSupport.ipmitoolLanplus;
import static io.anvil.sim.bmc.SimTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.client.BadCredentialsException;
import io.anvil.ipmi.client.BmcTarget;
import io.anvil.ipmi.client.IpmiClient;
import io.anvil.ipmi.client.IpmiClientOptions;
import io.anvil.ipmi.client.RetryPolicy;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RMCP+ "two-key" logins (IPMI v2.0 §13.31): a BMC with a key K_g derives the session keys from it instead of the
 * password. Anvil's client and ipmitool ({@code -y}) log in with the key, and fail without it.
 */
class BmcKeyInteropTest {

    private static final Duration T = Duration.ofSeconds(30);
    /** No zero byte: ipmitool keeps K_g as a C string, so it would cut a key at its first 0x00. */
    private static final String KEY_HEX = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

    private static Vertx vertx;
    private static SimulatedFleet fleet;
    private static IpmiClient client;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        fleet = await(SimulatedFleet.start(
                vertx, new FleetOptions().count(2).bmcKey(HexFormat.of().parseHex(KEY_HEX))));
        client = await(IpmiClient.create(
                vertx,
                new IpmiClientOptions().setRetry(RetryPolicy.of(300, 100, 2)).setCircuitFailureThreshold(0)));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            await(client.close());
        }
        if (fleet != null) {
            await(fleet.close());
        }
        if (vertx != null) {
            await(vertx.close());
        }
    }

    private static BmcTarget admin(SimulatedBmc bmc, int suite) {
        return BmcTarget.of(bmc.host(), bmc.port(), "admin", "password").withCipherSuite(suite);
    }

    @ParameterizedTest(name = "Anvil's client, suite {0}")
    @ValueSource(ints = {3, 17})
    void clientLogsInWithTheKeyAndNotWithoutIt(int suite) {
        SimulatedBmc bmc = fleet.bmc(0);
        await(client.getChassisStatus(admin(bmc, suite).withKg(HexFormat.of().parseHex(KEY_HEX))));
        Throwable noKey = SimTestSupport.awaitFailure(client.getChassisStatus(admin(bmc, suite)));
        assertTrue(
                noKey instanceof BadCredentialsException && noKey.getMessage().contains("Kg"), noKey.toString());
        Throwable wrongKey = SimTestSupport.awaitFailure(
                client.getChassisStatus(admin(bmc, suite).withKg(HexFormat.of().parseHex("ffff"))));
        assertTrue(wrongKey instanceof BadCredentialsException, wrongKey.toString());
        assertEquals(0, bmc.counters().internalErrors());
    }

    @ParameterizedTest(name = "ipmitool -I lanplus -C {0} -y")
    @ValueSource(ints = {3, 17})
    void ipmitoolWithTheKey(int suite) {
        String ipmitool = TestServices.requireTool("ipmitool");
        SimulatedBmc bmc = fleet.bmc(1);
        await(bmc.power(PowerState.OFF));
        List<String> withKey = new ArrayList<>(ipmitoolLanplus(ipmitool, bmc, suite, "admin", "password"));
        withKey.addAll(List.of("-y", KEY_HEX, "power", "on"));
        SimTestSupport.ProcResult on = run(T, withKey);
        assertEquals(0, on.exit(), on::toString);
        assertEquals(PowerState.ON, bmc.power());
        SimTestSupport.ProcResult noKey =
                run(T, ipmitoolLanplus(ipmitool, bmc, suite, "admin", "password", "power", "off"));
        assertNotEquals(0, noKey.exit(), noKey::toString);
        assertEquals(PowerState.ON, bmc.power(), "nothing done without the key");
    }

    @Test
    void channelAuthCapabilitiesAdvertiseTheKey() {
        String ipmitool = TestServices.requireTool("ipmitool");
        SimulatedBmc bmc = fleet.bmc(1);
        List<String> cmd = new ArrayList<>(ipmitoolLanplus(ipmitool, bmc, 3, "admin", "password"));
        cmd.addAll(List.of("-y", KEY_HEX, "channel", "authcap", "1", "4"));
        SimTestSupport.ProcResult r = run(T, cmd);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.output().contains("KG status") && r.output().contains("non-zero"), r.output());
    }
}
