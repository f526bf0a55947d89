package io.anvil.driver.ipmi;

import io.anvil.driver.DriverTask;
import io.anvil.driver.VendorInterface;
import io.anvil.driver.steps.CleanStep;
import io.anvil.driver.steps.DeployStep;
import io.anvil.driver.steps.StepArg;
import io.anvil.errors.AnvilException;
import io.anvil.ipmi.client.IpmiClient;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.lan.NetFn;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Ironic's ipmitool vendor passthru ({@code ironic/drivers/modules/ipmitool.py: VendorPassthru}) through Anvil's own
 * IPMI client: {@code send_raw} sends any request (as {@code ipmitool raw}) and, unlike Ironic, answers the BMC's reply
 * at once; {@code bmc_reset} is Application Cold Reset (06h/02h) or Warm Reset (06h/03h), IPMI v2.0 §20.2–20.3.
 * send_raw is also a clean and deploy step of priority 0, as in Ironic (docs/ipmi.md#raw-commands).
 */
public final class IpmiVendor implements VendorInterface {
    private static final Map<String, Method> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put(
                "send_raw",
                new Method(
                        List.of("POST"),
                        false,
                        "Send raw bytes to the BMC. Required argument: 'raw_bytes' - a string of raw bytes (e.g."
                                + " '0x00 0x01').",
                        true));
        METHODS.put(
                "bmc_reset",
                new Method(
                        List.of("POST"),
                        true,
                        "Reset the BMC. Required argument: 'warm' (Boolean) - for warm (True) or cold (False) reset.",
                        true));
    }

    private final IpmiClient client;

    public IpmiVendor(IpmiClient client) {
        this.client = client;
    }

    @Override
    public Map<String, Method> methods() {
        return METHODS;
    }

    /** Ironic's VendorPassthru.validate: raw_bytes for send_raw, and usable driver_info for every method. */
    @Override
    public void validate(DriverTask task, String method, JsonObject args) {
        if (method.equals("send_raw")) {
            Object raw = args.getValue("raw_bytes");
            if (raw == null || "".equals(raw)) {
                throw AnvilException.invalid("Parameter raw_bytes (string of bytes) was not specified.");
            }
            parseRawBytes(raw);
        }
        if (method.equals("bmc_reset")) {
            warm(args);
        }
        IpmiDriverInfo.parse(task.uuid(), task.node().getJsonObject("driver_info"));
    }

    @Override
    public Future<Object> call(DriverTask task, String method, JsonObject args) {
        return switch (method) {
            case "send_raw" -> sendRaw(task, args).map(r -> r);
            case "bmc_reset" -> bmcReset(task, warm(args)).map(x -> null);
            default -> Future.failedFuture(AnvilException.invalid("No handler for method " + method));
        };
    }

    /**
     * {"completion_code": "0x00", "response": "0x20 0x01 ..."}: the BMC's completion code and the response data after
     * it, in the notation raw_bytes takes.
     */
    public Future<JsonObject> sendRaw(DriverTask task, JsonObject args) {
        Object rawArg = args.getValue("raw_bytes");
        if (rawArg == null || "".equals(rawArg)) {
            return Future.failedFuture(AnvilException.invalid("Argument raw_bytes is missing."));
        }
        int[] bytes = parseRawBytes(rawArg);
        byte[] data = new byte[bytes.length - 2];
        for (int i = 2; i < bytes.length; i++) {
            data[i - 2] = (byte) bytes[i];
        }
        var bmc = IpmiDriverInfo.parse(task.uuid(), task.node().getJsonObject("driver_info"));
        return IpmiFailure.wrap("raw " + rawArg, client.raw(bmc, bytes[0], bytes[1], data))
                .map(IpmiVendor::toJson);
    }

    /**
     * send_raw as a step: the same request; a completion code other than 00h fails the step (ipmitool exits non-zero).
     */
    @CleanStep(
            name = "send_raw",
            priority = 0,
            requiresRamdisk = false,
            argsinfo = {
                @StepArg(
                        name = "raw_bytes",
                        description = "A string of raw bytes to convey the request to transmit to the remote BMC.",
                        required = true)
            })
    @DeployStep(
            name = "send_raw",
            priority = 0,
            argsinfo = {
                @StepArg(
                        name = "raw_bytes",
                        description = "A string of raw bytes to convey the request to transmit to the remote BMC.",
                        required = true)
            })
    public Future<Object> sendRawStep(DriverTask task, JsonObject args) {
        return sendRaw(task, args)
                .compose(r -> "0x00".equals(r.getString("completion_code"))
                        ? Future.succeededFuture()
                        : Future.failedFuture(new IllegalStateException("IPMI call failed: raw "
                                + args.getValue("raw_bytes") + ". The BMC answered completion code "
                                + r.getString("completion_code") + ".")));
    }

    /** Application Cold Reset (02h) or Warm Reset (03h); completes once the BMC accepted it. */
    public Future<Void> bmcReset(DriverTask task, boolean warm) {
        var bmc = IpmiDriverInfo.parse(task.uuid(), task.node().getJsonObject("driver_info"));
        String cmd = "bmc reset " + (warm ? "warm" : "cold");
        return IpmiFailure.wrap(cmd, client.raw(bmc, NetFn.APP, warm ? 0x03 : 0x02, new byte[0]))
                .compose(r -> r.isSuccess()
                        ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new AnvilException(
                                500,
                                "IPMI call failed: " + cmd + ". The BMC answered completion code "
                                        + String.format("0x%02x", r.completionCode()) + " ("
                                        + r.completionCodeDescription() + ").")));
    }

    /** Ironic's bool_from_string of the {@code warm} argument, default true. */
    private static boolean warm(JsonObject args) {
        Object v = args.getValue("warm");
        if (v == null) {
            return true;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        return io.anvil.config.Booleans.fromString(String.valueOf(v)).orElse(false);
    }

    /**
     * ipmitool raw's byte list: netFn, command, data; each byte in hex ({@code 0x06}), decimal or octal, as
     * ipmitool's str2uchar reads them.
     */
    static int[] parseRawBytes(Object raw) {
        if (!(raw instanceof String s) || s.isBlank()) {
            throw AnvilException.invalid("raw_bytes must be a string of bytes, e.g. '0x06 0x01'.");
        }
        String[] parts = s.trim().split("[\\s,]+");
        if (parts.length < 2) {
            throw AnvilException.invalid(
                    "raw_bytes '" + s + "' needs at least a network function and a command byte, e.g. '0x06 0x01'.");
        }
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parseByte(s, parts[i]);
        }
        if (out[0] > 0x3F || (out[0] & 1) != 0) {
            throw AnvilException.invalid("raw_bytes '" + s + "': the network function " + parts[0]
                    + " is not a request network function (an even number up to 0x3e).");
        }
        return out;
    }

    private static int parseByte(String all, String p) {
        try {
            String t = p.toLowerCase(Locale.ROOT);
            int v = t.startsWith("0x")
                    ? Integer.parseInt(t.substring(2), 16)
                    : t.length() > 1 && t.startsWith("0") ? Integer.parseInt(t.substring(1), 8) : Integer.parseInt(t);
            if (v < 0 || v > 0xFF) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw AnvilException.invalid("raw_bytes '" + all + "': '" + p + "' is not a byte (0x00 to 0xff).");
        }
    }

    private static JsonObject toJson(IpmiResponse r) {
        StringJoiner data = new StringJoiner(" ");
        for (byte b : r.data()) {
            data.add(String.format("0x%02x", b & 0xFF));
        }
        return new JsonObject()
                .put("completion_code", String.format("0x%02x", r.completionCode()))
                .put("response", data.toString());
    }
}
