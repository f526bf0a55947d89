package io.anvil.ipmi.client.impl;

import io.anvil.ipmi.client.BootDeviceMismatchException;
import io.anvil.ipmi.client.IpmiProtocolException;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.ipmi.codec.command.BootParameter;
import io.anvil.ipmi.codec.command.GetSystemBootOptions;
import io.anvil.ipmi.codec.command.SetSystemBootOptions;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.vertx.core.Future;

/**
 * Set boot device, ipmitool's sequence plus Ironic's parameter 3 (docs/ipmi.md#commands, docs/ipmi.md#interop-pitfalls,
 * pitfall 12), run as one governed operation so that no other caller's boot-option write interleaves:
 * <ol>
 *   <li>param 0 = 1 "set in progress" — best effort: a BMC that rejects it (ipmi_sim: 0xCC) never sees
 *       param 0 again in this sequence;</li>
 *   <li>param 3 = 0x08 "don't clear the valid bit on the 60 s timer" (IPMI v2.0 table 28-14, what Ironic
 *       sends as {@code 0x00 0x08 0x03 0x08}) — best effort, and only when the boot timeout is to be
 *       disabled (Ironic's ipmi_disable_boot_timeout, default true);</li>
 *   <li>param 4 = boot info acknowledge {@code 01 01} — best effort;</li>
 *   <li>param 5 = boot flags (valid | persistent | EFI, device) — required;</li>
 *   <li>param 0 = 2 "commit write", then 0 "set complete" — whenever step 1 succeeded, even after a failure,
 *       so the BMC is never left "in progress" (the next writer would get 0x81);</li>
 *   <li>read param 5 back and compare the device selector.</li>
 * </ol>
 */
final class BootDeviceSequence {

    /** Parameter 3 bit 3: do not clear the boot flags valid bit when the 60 s timer expires. */
    static final int KEEP_VALID_ON_TIMEOUT = 0x08;

    private final ClientSession session;
    private final BootFlags flags;
    private final boolean disableBootTimeout;

    BootDeviceSequence(ClientSession session, BootFlags flags, boolean disableBootTimeout) {
        this.session = session;
        this.flags = flags;
        this.disableBootTimeout = disableBootTimeout;
    }

    Future<BootFlags> run() {
        return send(SetSystemBootOptions.Request.setInProgress(BootParameter.SET_IN_PROGRESS_VALUE))
                .compose(r -> {
                    boolean useParam0 = r.isSuccess();
                    return writeFlags()
                            .transform(ar -> useParam0
                                    ? send(SetSystemBootOptions.Request.setInProgress(BootParameter.COMMIT_WRITE))
                                            .transform(x -> send(SetSystemBootOptions.Request.setInProgress(
                                                    BootParameter.SET_COMPLETE)))
                                            .transform(x -> ar.succeeded()
                                                    ? Future.<Void>succeededFuture()
                                                    : Future.<Void>failedFuture(ar.cause()))
                                    : ar.succeeded()
                                            ? Future.<Void>succeededFuture()
                                            : Future.<Void>failedFuture(ar.cause()));
                })
                .compose(v -> readBack(session))
                .map(stored -> {
                    if (stored.deviceSelector() != flags.deviceSelector()) {
                        throw new BootDeviceMismatchException(
                                session.bmc(),
                                String.format(
                                        "wrote boot device %s," + " BMC reports selector 0x%x",
                                        flags.device().orElse(null), stored.deviceSelector()),
                                stored);
                    }
                    return stored;
                });
    }

    private Future<Void> writeFlags() {
        Future<IpmiResponse> timeout = disableBootTimeout
                ? send(SetSystemBootOptions.Request.validBitClearing(KEEP_VALID_ON_TIMEOUT))
                : Future.succeededFuture();
        return timeout.compose(r -> send(SetSystemBootOptions.Request.bootInfoAcknowledge(0x01, 0x01)))
                .compose(r -> send(SetSystemBootOptions.Request.bootFlags(flags)))
                .map(r -> {
                    Commands.check(session.bmc(), "Set System Boot Options (boot flags)", r);
                    return null;
                });
    }

    private Future<IpmiResponse> send(SetSystemBootOptions.Request request) {
        return session.command(request, "Set System Boot Options param " + request.parameter());
    }

    /** Get System Boot Options parameter 5. */
    static Future<BootFlags> readBack(ClientSession session) {
        String name = "Get System Boot Options param 5";
        return session.command(GetSystemBootOptions.Request.of(BootParameter.BOOT_FLAGS), name)
                .map(r -> {
                    GetSystemBootOptions.Response response =
                            Commands.decode(session.bmc(), name, r, GetSystemBootOptions.Response::decode);
                    try {
                        return response.bootFlags();
                    } catch (IpmiDecodeException e) {
                        throw new IpmiProtocolException(session.bmc(), name + ": " + e.getMessage(), e);
                    }
                });
    }
}
