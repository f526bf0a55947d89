package io.anvil.ipmi.client;

import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.anvil.ipmi.codec.command.GetChassisStatus;
import io.anvil.ipmi.codec.command.GetDeviceId;
import io.anvil.ipmi.codec.command.GetSelInfo;
import io.anvil.ipmi.codec.command.GetSensorReading;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.metrics.AnvilMetrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;

/**
 * Non-blocking IPMI-over-LAN client (v2.0/RMCP+ and v1.5). Usable from any thread or Vert.x context; every
 * future completes on the caller's context (or, from a non-Vert.x thread, on the client's worker context).
 * Sessions, crypto and retransmits live on the client's own worker context; a private Netty event loop does
 * the socket I/O.
 *
 * <p>Per BMC ({@code host:port}) there is one governor: operations queue FIFO, at most
 * {@link IpmiClientOptions#getMaxInFlightPerBmc()} run at once, with a minimum spacing, behind a circuit
 * breaker. A session per {@link BmcTarget} (credentials) is opened on first use, reused, kept alive, closed
 * when idle for long and always closed by {@link #close()}.
 *
 * <p>Failures are {@link IpmiClientException} subclasses naming the cause.
 */
public interface IpmiClient {

    /** Deploys an {@link IpmiClientVerticle} as a worker verticle and returns its client. */
    static Future<IpmiClient> create(Vertx vertx, IpmiClientOptions options) {
        IpmiClientVerticle verticle = new IpmiClientVerticle(options);
        return vertx.deployVerticle(verticle, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
                .map(id -> verticle.client());
    }

    /** Get Device ID (App 0x01). */
    Future<GetDeviceId.Response> getDeviceId(BmcTarget bmc);

    /** Get Chassis Status (Chassis 0x01): power on/off, faults, restore policy. */
    Future<GetChassisStatus.Response> getChassisStatus(BmcTarget bmc);

    /** Chassis Control (Chassis 0x02): power down/up/cycle, hard reset, NMI, soft shutdown. Needs OPERATOR. */
    Future<Void> chassisControl(BmcTarget bmc, ChassisControl.Action action);

    /**
     * Sets the boot device as one governed operation (docs/ipmi.md#commands): parameter 0 "set in progress"
     * (best effort: skipped for the rest of the sequence if the BMC rejects it), parameter 3 = 0x08 so that
     * the BMC does not clear the flags after its 60 s timer (best effort), parameter 4 boot-info acknowledge
     * (best effort), parameter 5 boot flags (required), parameter 0 "commit write" then "set complete"
     * (always, also after a failure), then reads parameter 5 back.
     *
     * @return the boot flags the BMC holds afterwards (it may have dropped persistent/EFI — many do); fails
     *         with {@link BootDeviceMismatchException} when the device read back differs
     */
    default Future<BootFlags> setBootDevice(BmcTarget bmc, BootDevice device, boolean persistent, boolean efi) {
        return setBootDevice(bmc, device, persistent, efi, true);
    }

    /**
     * As {@link #setBootDevice(BmcTarget, BootDevice, boolean, boolean)}; with {@code disableBootTimeout} false
     * parameter 3 is not written, so the BMC keeps its own 60 s expiry (Ironic's ipmi_disable_boot_timeout).
     */
    Future<BootFlags> setBootDevice(
            BmcTarget bmc, BootDevice device, boolean persistent, boolean efi, boolean disableBootTimeout);

    /** Get System Boot Options parameter 5. */
    Future<BootFlags> getBootDevice(BmcTarget bmc);

    /** Get SEL Info (Storage 0x40). */
    Future<GetSelInfo.Response> getSelInfo(BmcTarget bmc);

    /** Get Sensor Reading (Sensor/Event 0x2D), LUN 0. */
    Future<GetSensorReading.Response> getSensorReading(BmcTarget bmc, int sensorNumber);

    /**
     * Any command, in session, through the governor. Does not fail on a non-zero completion code (the
     * response carries it); fails on transport, session and privilege-setup errors only.
     */
    Future<IpmiResponse> raw(BmcTarget bmc, int netFn, int command, byte[] data);

    /**
     * Activates the SOL payload (IPMI v2.0 §24.1) in a session of its own (payload packets bypass the governor; the
     * activation and its keep-alives go through it). When the payload is already active — left behind by a console
     * that vanished, e.g. a conductor that died — it is deactivated (§24.2) and activated again. {@code output}
     * receives the host's characters on the caller's context.
     */
    default Future<SolSession> activateSol(BmcTarget bmc, io.vertx.core.Handler<byte[]> output) {
        return Future.failedFuture(new UnsupportedOperationException("Serial-over-LAN"));
    }

    /** Counters, cheap, from any thread. */
    ClientStats stats();

    /**
     * Reports every operation's outcome and duration to {@code metrics} from now on, and binds the client's counters,
     * sessions open and each BMC's circuit state as series read when scraped (docs/operations.md#ipmi). Returns this.
     */
    default IpmiClient withMetrics(AnvilMetrics metrics) {
        return this;
    }

    /**
     * Stops accepting work, fails queued operations ({@link ClientClosedException}), waits for running ones
     * and sends Close Session on every open session — all bounded by
     * {@link IpmiClientOptions#getCloseTimeout()} — then closes the sockets. Undeploys the verticle when the
     * client was made with {@link #create}.
     */
    Future<Void> close();
}
