package io.anvil.ipmi.client;

import io.anvil.ipmi.client.impl.IpmiClientImpl;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Hosts one {@link IpmiClient}. Deploy it as a WORKER verticle ({@link IpmiClient#create} does): the
 * client's sessions, RAKP/HMAC/AES work and timers then run on this verticle's worker context, never on an
 * event loop, and its sockets run on a private single-thread Netty event loop (docs/architecture.md#threads).
 * Undeploying it closes every session (bounded) and the sockets.
 */
public final class IpmiClientVerticle extends VerticleBase {

    private final IpmiClientOptions options;
    private volatile IpmiClientImpl client;

    public IpmiClientVerticle(IpmiClientOptions options) {
        this.options = new IpmiClientOptions(options == null ? new IpmiClientOptions() : options);
    }

    @Override
    public Future<?> start() {
        if (!context.isWorkerContext()) {
            return Future.failedFuture(new IllegalStateException(
                    "deploy IpmiClientVerticle with ThreadingModel.WORKER: crypto must not run on an event loop"));
        }
        IpmiClientImpl c = new IpmiClientImpl(vertx, context, options);
        c.onClose(() -> vertx.undeploy(deploymentID()));
        return c.start().onSuccess(v -> client = c);
    }

    @Override
    public Future<?> stop() {
        IpmiClientImpl c = client;
        return c == null ? Future.succeededFuture() : c.shutdown();
    }

    /** The client, once deployed. */
    public IpmiClient client() {
        IpmiClientImpl c = client;
        if (c == null) {
            throw new IllegalStateException("IpmiClientVerticle not deployed");
        }
        return c;
    }
}
