package io.anvil.sim.bmc;

import static io.anvil.sim.bmc.SimTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.RmcpMessage;
import io.anvil.ipmi.codec.RmcpWire;
import io.anvil.ipmi.codec.V15SessionPacket;
import io.anvil.ipmi.codec.command.GetChannelAuthCapabilities;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.vertx.core.Vertx;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * 1,000 BMCs in one process (override with {@code -Danvil.sim.scale=10000}), each polled once with an
 * unauthenticated Get Channel Auth Capabilities from a minimal in-test sender.
 */
class ScaleTest {

    @Test
    void thousandBmcsAnswerAPoll() throws Exception {
        int count = Integer.getInteger("anvil.sim.scale", 1000);
        long t0 = System.nanoTime();
        Vertx vertx = Vertx.vertx();
        SimulatedFleet fleet = await(SimulatedFleet.start(vertx, new FleetOptions().count(count)));
        try {
            long started = System.nanoTime();
            Map<Integer, Integer> byPort = new HashMap<>();
            for (SimulatedBmc b : fleet.bmcs()) {
                byPort.put(b.port(), b.index());
            }
            assertEquals(count, byPort.size(), "every BMC has its own port");
            BitSet answered = new BitSet(count);
            byte[] poll = RmcpWire.encode(
                    V15SessionPacket.presession(GetChannelAuthCapabilities.Request.ipmi20(Privilege.ADMINISTRATOR)
                            .toRequest(1)
                            .encode()));
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                socket.setSoTimeout(500);
                int window = 200;
                // UDP on a loaded machine: re-poll the silent ones until all answered (a bound only against a hang)
                for (int attempt = 0; attempt < 20 && answered.cardinality() < count; attempt++) {
                    for (int from = 0; from < count; from += window) {
                        int to = Math.min(count, from + window);
                        int expected = 0;
                        for (int i = from; i < to; i++) {
                            if (!answered.get(i)) {
                                socket.send(new DatagramPacket(
                                        poll, poll.length, fleet.bmc(i).address()));
                                expected++;
                            }
                        }
                        while (expected > 0 && receive(socket, byPort, answered)) {
                            expected--;
                        }
                    }
                }
            }
            long polled = System.nanoTime();
            assertEquals(count, answered.cardinality(), "BMCs that answered");
            assertEquals(count, fleet.totals().answered());
            assertEquals(0, fleet.totals().internalErrors());
            double startMs = (started - t0) / 1e6;
            double pollMs = (polled - started) / 1e6;
            // how fast is printed, not bounded (scripts/bench ipmi measures sweeps over 1,000 and 10,000 BMCs)
            System.out.printf(
                    "ScaleTest: %d BMCs started in %.0f ms (bind %d ms), all polled in %.0f ms%n",
                    count, startMs, fleet.startupTime().toMillis(), pollMs);
        } finally {
            await(fleet.close());
            await(vertx.close());
        }
    }

    private static boolean receive(DatagramSocket socket, Map<Integer, Integer> byPort, BitSet answered)
            throws Exception {
        byte[] buf = new byte[512];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return false;
        }
        RmcpMessage m;
        try {
            m = RmcpWire.decode(Arrays.copyOf(buf, p.getLength()));
        } catch (IpmiDecodeException e) {
            throw new AssertionError("undecodable answer", e);
        }
        IpmiResponse r = IpmiMessages.decodeResponse(((V15SessionPacket) m).message());
        assertEquals(0, r.completionCode());
        assertTrue(GetChannelAuthCapabilities.Response.decode(r.data()).supportsIpmi20());
        Integer index = byPort.get(p.getPort());
        if (index != null) {
            answered.set(index);
        }
        return true;
    }
}
