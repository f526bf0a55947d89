package io.anvil.ipmi.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.net.SocketAddress;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A tiny UDP relay between the client and a BMC (two Vert.x datagram sockets, one context) that drops a
 * fraction of datagrams in each direction with a seeded RNG, and can inject extra datagrams towards the
 * client before each real answer (the fuzz test). The client talks to {@link #port()}.
 */
final class UdpRelay {

    private final Vertx vertx;
    private final int bmcPort;
    private final Random random;
    private volatile double dropRate;
    /** When set, every BMC answer is dropped (requests still reach the BMC). */
    volatile boolean blackholeAnswers;
    /** Every datagram the client sent, in order. */
    final java.util.List<byte[]> fromClient = new java.util.concurrent.CopyOnWriteArrayList<>();

    private DatagramSocket front;
    private DatagramSocket back;
    private volatile SocketAddress client;
    /** Called with (real BMC answer, sender to the client) before the answer is forwarded. */
    private volatile BiConsumer<byte[], java.util.function.Consumer<byte[]>> injector;

    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong injected = new AtomicLong();

    UdpRelay(Vertx vertx, int bmcPort, double dropRate, long seed) {
        this.vertx = vertx;
        this.bmcPort = bmcPort;
        this.dropRate = dropRate;
        this.random = new Random(seed);
    }

    Future<UdpRelay> start() {
        front = vertx.createDatagramSocket();
        back = vertx.createDatagramSocket();
        front.handler(p -> {
            client = p.sender();
            fromClient.add(p.data().getBytes());
            if (drop()) {
                return;
            }
            forwarded.incrementAndGet();
            back.send(p.data(), bmcPort, "127.0.0.1");
        });
        back.handler(p -> {
            SocketAddress to = client;
            if (to == null || blackholeAnswers || drop()) {
                return;
            }
            BiConsumer<byte[], java.util.function.Consumer<byte[]>> inject = injector;
            if (inject != null) {
                inject.accept(p.data().getBytes(), bytes -> {
                    injected.incrementAndGet();
                    front.send(Buffer.buffer(bytes), to.port(), to.host());
                });
            }
            forwarded.incrementAndGet();
            front.send(p.data(), to.port(), to.host());
        });
        return front.listen(0, "127.0.0.1")
                .compose(f -> back.listen(0, "127.0.0.1"))
                .map(b -> this);
    }

    private boolean drop() {
        if (dropRate > 0 && random.nextDouble() < dropRate) {
            dropped.incrementAndGet();
            return true;
        }
        return false;
    }

    void dropRate(double rate) {
        this.dropRate = rate;
    }

    void injector(BiConsumer<byte[], java.util.function.Consumer<byte[]>> injector) {
        this.injector = injector;
    }

    int port() {
        return front.localAddress().port();
    }

    Future<Void> close() {
        return Future.join(front.close(), back.close()).mapEmpty();
    }
}
