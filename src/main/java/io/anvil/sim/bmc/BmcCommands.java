package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.anvil.ipmi.codec.command.GetChannelAuthCapabilities;
import io.anvil.ipmi.codec.command.GetChannelCipherSuites;
import io.anvil.ipmi.codec.command.GetChassisStatus;
import io.anvil.ipmi.codec.command.GetDeviceId;
import io.anvil.ipmi.codec.command.GetSelInfo;
import io.anvil.ipmi.codec.command.GetSensorReading;
import io.anvil.ipmi.codec.command.GetSystemBootOptions;
import io.anvil.ipmi.codec.command.SetSystemBootOptions;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.lan.NetFn;

/**
 * The IPMI commands a simulated BMC answers in a session (listed in the package overview), with the default privilege
 * the IPMI v2.0 specification gives each command (its Appendix G). Stateless: the state lives in
 * {@link SimulatedChassis}; {@link CommandDispatcher} has already checked the privilege. Runs on the BMC's event
 * loop.
 */
final class BmcCommands {

    /** The LAN channel number reported for "this channel" (0x0E). */
    static final int LAN_CHANNEL = 1;

    private static final byte[] NONE = new byte[0];

    private BmcCommands() {}

    /** Privilege a command needs, or null when the command is not implemented (→ 0xC1). */
    static Privilege requiredPrivilege(int netFn, int cmd) {
        return switch (netFn) {
            case NetFn.APP ->
                switch (cmd) {
                    case 0x01, 0x08, 0x37 -> Privilege.USER; // Get Device ID, Get Device GUID, Get System GUID
                    case 0x02, 0x03 -> Privilege.ADMINISTRATOR; // Cold Reset, Warm Reset (IPMI v2.0 §20.2, §20.3)
                    // Activate/Deactivate Payload, Get Payload Activation Status (IPMI v2.0 §24.1, §24.2, §24.4):
                    // SOL's default payload privilege is USER (§26.2, SOL configuration parameter 2)
                    case 0x48, 0x49, 0x4A -> Privilege.USER;
                    default -> null;
                };
            case NetFn.CHASSIS ->
                switch (cmd) {
                    case 0x00, 0x01 -> Privilege.USER; // Get Chassis Capabilities, Get Chassis Status
                    case 0x02, 0x04, 0x08, 0x09 -> Privilege.OPERATOR; // Control, Identify, Set/Get Boot Options
                    default -> null;
                };
            case NetFn.STORAGE -> cmd == 0x40 ? Privilege.USER : null; // Get SEL Info
            case NetFn.SENSOR_EVENT -> cmd == 0x2D ? Privilege.USER : null; // Get Sensor Reading
            default -> null;
        };
    }

    static IpmiResponse execute(SimulatedBmc bmc, IpmiRequest req) {
        try {
            return switch (req.netFn()) {
                case NetFn.APP ->
                    switch (req.command()) {
                        case 0x01 -> deviceId(bmc, req);
                        case 0x02, 0x03 -> bmcReset(bmc, req);
                        default -> req.respond(0x00, bmc.guid()); // Get Device GUID / Get System GUID
                    };
                case NetFn.CHASSIS ->
                    switch (req.command()) {
                        case 0x00 ->
                            req.respond(0x00, new byte[] {0x00, 0x20, 0x20, 0x20, 0x20}); // caps: FRU/SDR/SEL/SM = BMC
                        case 0x01 -> chassisStatus(bmc, req);
                        case 0x02 ->
                            req.respond(
                                    bmc.chassis.chassisControl(ChassisControl.Request.decode(req.data())
                                            .action()),
                                    NONE);
                        case 0x04 -> req.respond(0x00, NONE); // Chassis Identify: accepted, nothing to blink
                        case 0x08 -> setBootOptions(bmc, req);
                        default -> getBootOptions(bmc, req);
                    };
                case NetFn.STORAGE ->
                    req.respond(0x00, new GetSelInfo.Response(0x51, 0, 16000, 0xFFFFFFFF, 0xFFFFFFFF, 0x02).encode());
                default -> sensorReading(bmc, req);
            };
        } catch (IpmiDecodeException e) {
            return req.respond(e.reason() == IpmiDecodeException.Reason.TRUNCATED ? 0xC7 : 0xCC, NONE);
        }
    }

    /**
     * Cold (02h) or Warm (03h) Reset: answered, counted and logged. The simulated controller keeps its sessions and
     * state (a real one reboots its firmware; the host's power is untouched either way, IPMI v2.0 §20.2).
     */
    private static IpmiResponse bmcReset(SimulatedBmc bmc, IpmiRequest req) {
        bmc.counters.bmcResets++;
        bmc.event(req.command() == 0x02 ? "BMC cold reset" : "BMC warm reset");
        return req.respond(0x00, NONE);
    }

    private static IpmiResponse deviceId(SimulatedBmc bmc, IpmiRequest req) {
        FleetOptions o = bmc.fleet().opts();
        int i = bmc.index();
        byte[] aux = {(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)}; // the BMC's index
        return req.respond(
                0x00,
                new GetDeviceId.Response(0x20, 0x01, 0x01, 0x00, 0x02, 0x85, o.manufacturerId(), o.productId(), aux)
                        .encode());
    }

    private static IpmiResponse chassisStatus(SimulatedBmc bmc, IpmiRequest req) {
        boolean on = bmc.chassis.power() == PowerState.ON;
        int current = (on ? 0x01 : 0x00) | GetChassisStatus.RestorePolicy.PREVIOUS.ordinal() << 5;
        int lastEvent = bmc.chassis.lastPowerOnByCommand() ? 0x10 : 0x00; // b4: last power-on via IPMI command
        return req.respond(
                0x00,
                new GetChassisStatus.Response(current, lastEvent, 0x00, GetChassisStatus.NO_FRONT_PANEL).encode());
    }

    private static IpmiResponse setBootOptions(SimulatedBmc bmc, IpmiRequest req) throws IpmiDecodeException {
        SetSystemBootOptions.Request r = SetSystemBootOptions.Request.decode(req.data());
        return req.respond(bmc.chassis.setBootOption(r.parameter(), r.parameterData()), NONE);
    }

    private static IpmiResponse getBootOptions(SimulatedBmc bmc, IpmiRequest req) throws IpmiDecodeException {
        GetSystemBootOptions.Request r = GetSystemBootOptions.Request.decode(req.data());
        byte[] data = bmc.chassis.bootOption(r.parameter());
        if (data == null) {
            return req.respond(0x80, NONE);
        }
        return req.respond(
                0x00,
                new GetSystemBootOptions.Response(GetSystemBootOptions.PARAMETER_VERSION, false, r.parameter(), data)
                        .encode());
    }

    /** Sensors 1 inlet temperature, 2 CPU temperature (unavailable when off), 3 system power; LUN 0 only. */
    private static IpmiResponse sensorReading(SimulatedBmc bmc, IpmiRequest req) throws IpmiDecodeException {
        int sensor = GetSensorReading.Request.decode(req.data()).sensorNumber();
        boolean on = bmc.chassis.power() == PowerState.ON;
        if (req.rsLun() != 0) {
            return req.respond(0xCB, NONE);
        }
        GetSensorReading.Response r =
                switch (sensor) {
                    case 1 -> new GetSensorReading.Response(on ? 24 : 21, 0xC0, new byte[] {0x00});
                    case 2 -> new GetSensorReading.Response(on ? 48 : 0, on ? 0xC0 : 0xE0, new byte[] {0x00});
                    case 3 -> new GetSensorReading.Response(on ? 120 : 6, 0xC0, new byte[] {0x00});
                    default -> null;
                };
        return r == null ? req.respond(0xCB, NONE) : req.respond(0x00, r.encode());
    }

    /** Get Channel Authentication Capabilities (pre-session and in-session). */
    static IpmiResponse channelAuthCapabilities(SimulatedFleet fleet, IpmiRequest req) {
        GetChannelAuthCapabilities.Request r;
        try {
            r = GetChannelAuthCapabilities.Request.decode(req.data());
        } catch (IpmiDecodeException e) {
            return req.respond(0xCC, NONE);
        }
        if (r.channel() != GetChannelAuthCapabilities.CURRENT_CHANNEL && r.channel() != LAN_CHANNEL) {
            return req.respond(0xCC, NONE);
        }
        int types = 0;
        for (AuthType t : fleet.v15Types()) {
            types |= t.capabilityBit();
        }
        boolean v20 = !fleet.suites().isEmpty();
        int extended = 0;
        if (r.requestV20Data()) {
            types |= 0x80;
            extended = (fleet.v15Types().isEmpty() ? 0 : 0x01) | (v20 ? 0x02 : 0);
        }
        // status 0x04: non-null user names enabled; per-message and user-level authentication enabled; bit 5 (0x20)
        // when a BMC key K_g is set
        int status = 0x04 | (fleet.opts().bmcKey() != null ? 0x20 : 0);
        return req.respond(
                0x00, new GetChannelAuthCapabilities.Response(LAN_CHANNEL, types, status, extended, 0, 0).encode());
    }

    /** Get Channel Cipher Suites: the enabled suites, 16 record bytes per page. */
    static IpmiResponse channelCipherSuites(SimulatedFleet fleet, IpmiRequest req) {
        GetChannelCipherSuites.Request r;
        try {
            r = GetChannelCipherSuites.Request.decode(req.data());
        } catch (IpmiDecodeException e) {
            return req.respond(0xCC, NONE);
        }
        if (r.channel() != GetChannelAuthCapabilities.CURRENT_CHANNEL && r.channel() != LAN_CHANNEL) {
            return req.respond(0xCC, NONE);
        }
        byte[] page =
                r.payloadType() == 0 ? GetChannelCipherSuites.page(fleet.cipherSuiteRecords(), r.listIndex()) : NONE;
        return req.respond(0x00, new GetChannelCipherSuites.Response(LAN_CHANNEL, page).encode());
    }
}
