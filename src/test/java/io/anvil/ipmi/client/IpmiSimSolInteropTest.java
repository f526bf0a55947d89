package io.anvil.ipmi.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Anvil's SOL client against OpenIPMI's {@code ipmi_sim} (IPMI v2.0 §15, §24): ipmi_sim's SOL is wired to a TCP
 * "serial port" ({@code sol "tcp:127.0.0.1:PORT" 115200} in lan.conf) that this test serves as an echoing host.
 */
class IpmiSimSolInteropTest {

    @Test
    void solThroughIpmiSim() throws Exception {
        Vertx vertx = Vertx.vertx();
        NetServer host = vertx.createNetServer()
                .connectHandler(socket -> socket.handler(socket::write)); // the host echoes its serial input
        Await.result(host.listen(0, "127.0.0.1"));
        IpmiSim sim = IpmiSim.start("  sol \"tcp:127.0.0.1:" + host.actualPort() + "\" 115200\n");
        IpmiClient client =
                Await.result(IpmiClient.create(vertx, new IpmiClientOptions().setMinCommandSpacing(Duration.ZERO)));
        try {
            StringBuffer screen = new StringBuffer();
            Promise<Void> echoed = Promise.promise();
            SolSession sol = Await.result(client.activateSol(
                    BmcTarget.of("127.0.0.1", sim.port(), "admin", "password").withCipherSuite(3), b -> {
                        screen.append(new String(b, StandardCharsets.UTF_8));
                        if (screen.toString().contains("hello ipmi_sim")) {
                            echoed.tryComplete();
                        }
                    }));
            Await.result(sol.write("hello ipmi_sim\r".getBytes(StandardCharsets.US_ASCII)));
            Await.result(echoed.future());
            assertTrue(screen.toString().contains("hello ipmi_sim"), screen::toString);
            Await.result(sol.close());
        } finally {
            Await.result(client.close());
            sim.close();
            Await.result(vertx.close());
        }
    }
}
