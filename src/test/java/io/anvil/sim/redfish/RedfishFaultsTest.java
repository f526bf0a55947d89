package io.anvil.sim.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Fault injection per BMC and fleet-wide, over plain HTTP ({@code tls(false)}). */
class RedfishFaultsTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static Vertx vertx;
    private static RedfishFleet fleet;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        fleet = Conditions.result(
                RedfishFleet.start(
                        vertx,
                        new RedfishFleetOptions()
                                .count(6)
                                .basePort(0)
                                .tls(false)
                                .systemIds(RedfishFleetOptions.SystemIds.ONE)),
                T);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            Conditions.result(fleet.close(), T);
        }
        if (vertx != null) {
            Conditions.result(vertx.close(), T);
        }
    }

    private static RedfishClient client(int bmc) {
        return new RedfishClient(vertx, fleet, fleet.bmc(bmc));
    }

    @Test
    void plainHttpAndSystemOne() {
        SimulatedRedfishBmc bmc = fleet.bmc(0);
        assertTrue(bmc.address().startsWith("http://"), bmc.address());
        assertEquals("/redfish/v1/Systems/1", bmc.systemPath());
        assertNull(fleet.caFile());
        assertEquals(200, client(0).get("/redfish/v1/Systems/1").status());
    }

    @Test
    void unavailableAnswers503WithRetryAfterAndChangesNothing() {
        SimulatedRedfishBmc bmc = fleet.bmc(1);
        bmc.faults(RedfishFaults.NONE.withUnavailableRate(1.0));
        try {
            RedfishClient.Resp r = client(1)
                    .post(bmc.systemPath() + "/Actions/ComputerSystem.Reset", new JsonObject().put("ResetType", "On"));
            assertEquals(503, r.status());
            assertEquals("Base.1.8.ServiceTemporarilyUnavailable", r.messageId());
            assertEquals("1", r.header("Retry-After"));
            assertEquals(SimulatedRedfishBmc.Power.Off, bmc.power());
        } finally {
            bmc.faults(null);
        }
        assertEquals(200, client(1).get(bmc.systemPath()).status(), "healthy again");
    }

    @Test
    void slowBmcAnswersLateButCorrectly() {
        SimulatedRedfishBmc bmc = fleet.bmc(2);
        bmc.faults(RedfishFaults.NONE.withResponseDelay(Duration.ofSeconds(2)));
        try {
            // order, not a clock: while the slow BMC holds its answer, another BMC of the fleet answers at once
            java.util.concurrent.CompletableFuture<RedfishClient.Resp> slow =
                    java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> client(2).get(bmc.systemPath()));
            assertEquals(200, client(0).get(fleet.bmc(0).systemPath()).status());
            assertFalse(slow.isDone(), "the slow BMC's answer is still held");
            assertEquals(200, slow.join().status(), "and then it comes, correct");
        } finally {
            bmc.faults(null);
        }
    }

    @Test
    void rejectedPasswordFailsLoginsAndBasic() {
        SimulatedRedfishBmc bmc = fleet.bmc(3);
        bmc.faults(RedfishFaults.NONE.withRejectPassword(true));
        try {
            RedfishClient c = client(3);
            assertEquals(401, c.get(bmc.systemPath()).status());
            RedfishClient.Resp login = c.anonymous()
                    .post(
                            "/redfish/v1/SessionService/Sessions",
                            new JsonObject().put("UserName", "admin").put("Password", "password"));
            assertEquals(401, login.status());
            assertEquals("Base.1.8.ResourceAtUriUnauthorized", login.messageId());
        } finally {
            bmc.faults(null);
        }
    }

    @Test
    void sessionsExpireAfterTheirIdleTimeAndOnManagerReset() {
        SimulatedRedfishBmc bmc = fleet.bmc(4);
        RedfishClient c = client(4).anonymous();
        String token = c.post(
                        "/redfish/v1/SessionService/Sessions",
                        new JsonObject().put("UserName", "admin").put("Password", "password"))
                .header("X-Auth-Token");
        c.token(token);
        assertEquals(200, c.get(bmc.systemPath()).status());
        bmc.faults(RedfishFaults.NONE.withSessionTtl(Duration.ZERO));
        try {
            RedfishClient.Resp expired = c.get(bmc.systemPath());
            assertEquals(401, expired.status());
            assertEquals("Base.1.8.NoValidSession", expired.messageId());
        } finally {
            bmc.faults(null);
        }
        String second = c.anonymous()
                .post(
                        "/redfish/v1/SessionService/Sessions",
                        new JsonObject().put("UserName", "admin").put("Password", "password"))
                .header("X-Auth-Token");
        c.token(second);
        assertEquals(
                204,
                c.post("/redfish/v1/Managers/BMC/Actions/Manager.Reset", new JsonObject())
                        .status());
        Conditions.await(
                vertx,
                "the BMC reset ends its sessions",
                T,
                Duration.ofMillis(20),
                () -> c.get(bmc.systemPath()).status() == 401);
    }

    @Test
    void fleetWideFaultsReachEveryBmcUnlessOneHasItsOwn() {
        fleet.faults(RedfishFaults.NONE.withUnavailableRate(1.0));
        fleet.bmc(5).faults(RedfishFaults.NONE);
        try {
            assertEquals(503, client(0).get("/redfish/v1/Systems").status());
            assertEquals(200, client(5).get("/redfish/v1/Systems").status());
        } finally {
            fleet.faults(null);
            fleet.bmc(5).faults(null);
        }
        assertEquals(200, client(0).get("/redfish/v1/Systems").status());
    }
}
