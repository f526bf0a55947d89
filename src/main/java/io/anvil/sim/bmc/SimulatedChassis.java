package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The machine behind one simulated BMC: chassis power with its delayed transitions (timers on the BMC's event
 * loop), the boot options a client writes and the boot that consumes them. Written on the BMC's event loop only;
 * the fields the public API reads are volatile.
 */
final class SimulatedChassis {

    private final SimulatedBmc bmc;

    private volatile PowerState power;
    private volatile boolean lastPowerOnByCommand;
    private volatile BootFlags bootFlags = new BootFlags(false, false, false, 0, 0, 0, 0);
    private volatile BootFlags lastBootFlags;
    private volatile int setInProgress;
    private volatile int validBitClearing;
    private volatile int bootInfoAcknowledge;
    private volatile ScheduledFuture<?> pendingPower;
    /** Lazy: an idle BMC holds no list. */
    private List<PowerWaiter> powerWaiters;

    private record PowerWaiter(PowerState state, Promise<Void> promise) {}

    SimulatedChassis(SimulatedBmc bmc, PowerState initialPower) {
        this.bmc = bmc;
        this.power = initialPower;
    }

    // ================================================================================ reads (any thread)

    PowerState power() {
        return power;
    }

    boolean powerTransitionPending() {
        ScheduledFuture<?> p = pendingPower;
        return p != null && !p.isDone();
    }

    boolean lastPowerOnByCommand() {
        return lastPowerOnByCommand;
    }

    BootFlags bootFlags() {
        return bootFlags;
    }

    BootFlags lastBootFlags() {
        return lastBootFlags;
    }

    int setInProgress() {
        return setInProgress;
    }

    int validBitClearing() {
        return validBitClearing;
    }

    int bootInfoAcknowledge() {
        return bootInfoAcknowledge;
    }

    // ================================================================================ test setup (loop only)

    /** Sets the power at once: no delay, counts as a transition, boots when turned on. */
    void forcePower(PowerState state) {
        cancelPendingPower();
        if (state == PowerState.ON) {
            powerOn("set by test", false);
        } else {
            powerOff("set by test");
        }
    }

    void forceBootFlags(BootFlags flags) {
        bootFlags = flags;
    }

    /** Completes {@code promise} now when the power reads {@code state}, else at the transition that makes it so. */
    void whenPower(PowerState state, Promise<Void> promise) {
        if (power == state) {
            promise.tryComplete();
            return;
        }
        if (powerWaiters == null) {
            powerWaiters = new ArrayList<>(2);
        }
        powerWaiters.add(new PowerWaiter(state, promise));
    }

    // ================================================================================ Chassis Control

    /** Chassis Control (IPMI v2.0 §28.3); returns the completion code. */
    int chassisControl(ChassisControl.Action action) {
        boolean on = power == PowerState.ON;
        FleetOptions o = bmc.fleet().opts();
        switch (action) {
            case POWER_UP -> {
                if (on && !powerTransitionPending()) {
                    break;
                }
                schedulePower(o.powerOnDelay(), () -> powerOn("power up", true));
            }
            case POWER_DOWN -> schedulePower(o.powerOffDelay(), () -> powerOff("power down"));
            case POWER_CYCLE -> {
                if (!on) {
                    return 0xD5; // not supported in present state: a cycle needs the power on
                }
                schedulePower(o.powerOffDelay(), () -> {
                    powerOff("power cycle");
                    schedulePower(o.powerOnDelay(), () -> powerOn("power cycle", true));
                });
            }
            case HARD_RESET -> {
                if (!on) {
                    return 0xD5;
                }
                cancelPendingPower();
                boot("hard reset");
            }
            case DIAGNOSTIC_INTERRUPT -> {
                if (!on) {
                    return 0xD5;
                }
                bmc.event("diagnostic interrupt (NMI)");
                bmc.counters.diagnosticInterrupts++;
            }
            case SOFT_SHUTDOWN -> {
                if (!on) {
                    return 0xD5;
                }
                if (bmc.faults().ignoreSoftOff()) {
                    bmc.event("soft off requested, ignored by the OS (fault)");
                } else {
                    bmc.event("soft off requested");
                    schedulePower(o.softOffDelay(), () -> powerOff("soft off"));
                }
            }
            default -> {
                return 0xCC;
            }
        }
        bmc.counters.chassisControls++;
        return 0;
    }

    private void schedulePower(Duration delay, Runnable transition) {
        cancelPendingPower();
        if (delay.isZero()) {
            transition.run();
        } else {
            pendingPower = bmc.channel()
                    .eventLoop()
                    .schedule(
                            () -> {
                                pendingPower = null;
                                transition.run();
                            },
                            delay.toNanos(),
                            TimeUnit.NANOSECONDS);
        }
    }

    private void cancelPendingPower() {
        if (pendingPower != null) {
            pendingPower.cancel(false);
            pendingPower = null;
        }
    }

    private void powerOn(String reason, boolean byCommand) {
        if (power == PowerState.ON) {
            return;
        }
        power = PowerState.ON;
        lastPowerOnByCommand = byCommand;
        bmc.counters.powerOns++;
        bmc.event("power on (" + reason + ")");
        boot(reason);
        notifyPower();
    }

    private void powerOff(String reason) {
        if (power == PowerState.OFF) {
            return;
        }
        power = PowerState.OFF;
        bmc.counters.powerOffs++;
        if (bmc.solActive()) {
            bmc.console().print("reboot: Power down\r\n");
        }
        bmc.event("power off (" + reason + ")");
        notifyPower();
    }

    /** The system boots: the boot flags in force are consumed; one-time (non-persistent) flags clear. */
    private void boot(String reason) {
        BootFlags flags = bootFlags;
        lastBootFlags = flags;
        bmc.counters.boots++;
        if (flags.valid()) {
            bmc.event("boot (" + reason + ") from "
                    + flags.device().map(Enum::name).orElse("selector " + flags.deviceSelector())
                    + (flags.efi() ? " EFI" : " legacy")
                    + (flags.persistent() ? " persistent" : " one-time"));
            if (!flags.persistent()) {
                bootFlags = new BootFlags(
                        false, false, flags.efi(), flags.data2(), flags.data3(), flags.data4(), flags.data5());
            }
        } else {
            bmc.event("boot (" + reason + ") from the default device");
        }
        bootLog(flags);
    }

    /** What the host's firmware prints on its serial port at each boot: read over SOL (IPMI v2.0 §15). */
    private void bootLog(BootFlags flags) {
        if (!bmc.solActive()) {
            return; // nobody listens: skip building the text
        }
        String device = flags.valid() ? flags.device().map(Enum::name).orElse("default") : "default";
        bmc.console()
                .print("\r\nAnvil simulated firmware, BMC " + bmc.index() + "\r\n"
                        + "CPU0: 8 cores, memory 16384 MB OK\r\n"
                        + "Boot mode: " + (flags.efi() ? "UEFI" : "legacy BIOS") + "\r\n"
                        + "Booting from " + device + "...\r\n");
    }

    private void notifyPower() {
        if (powerWaiters == null) {
            return;
        }
        List<PowerWaiter> waiting = powerWaiters;
        powerWaiters = null;
        for (PowerWaiter w : waiting) {
            if (w.state() == power) {
                w.promise().tryComplete();
            } else {
                if (powerWaiters == null) {
                    powerWaiters = new ArrayList<>(2);
                }
                powerWaiters.add(w);
            }
        }
    }

    // ================================================================================ System Boot Options

    /** Set System Boot Options (IPMI v2.0 §28.12); returns the completion code. */
    int setBootOption(int parameter, byte[] data) {
        switch (parameter) {
            case 0 -> {
                if (data.length < 1) {
                    return 0xC7;
                }
                int v = data[0] & 0x03;
                if (v == 3) {
                    return 0xCC;
                }
                if (v == 1 && setInProgress == 1) {
                    return 0x81; // set in progress already
                }
                setInProgress = v;
            }
            case 3 -> {
                if (data.length < 1) {
                    return 0xC7;
                }
                validBitClearing = data[0] & 0x1F;
            }
            case 4 -> {
                if (data.length < 2) {
                    return 0xC7;
                }
                int mask = data[0] & 0xFF;
                bootInfoAcknowledge = (bootInfoAcknowledge & ~mask | data[1] & mask) & 0xFF;
            }
            case 5 -> {
                if (data.length < BootFlags.LENGTH) {
                    return 0xC7;
                }
                try {
                    BootFlags flags = BootFlags.decode(Arrays.copyOf(data, BootFlags.LENGTH));
                    bootFlags = flags;
                    bmc.event("boot flags set: " + (flags.valid() ? "valid " : "invalid ")
                            + flags.device().map(Enum::name).orElse("selector " + flags.deviceSelector())
                            + (flags.persistent() ? " persistent" : " one-time") + (flags.efi() ? " EFI" : " legacy"));
                } catch (IpmiDecodeException e) {
                    return 0xCC;
                }
            }
            default -> {
                return 0x80; // parameter not supported
            }
        }
        return 0;
    }

    /** Get System Boot Options (IPMI v2.0 §28.13) parameter data, or null when the parameter is not supported. */
    byte[] bootOption(int parameter) {
        return switch (parameter) {
            case 0 -> new byte[] {(byte) setInProgress};
            case 3 -> new byte[] {(byte) validBitClearing};
            case 4 -> new byte[] {0x00, (byte) bootInfoAcknowledge};
            case 5 -> bootFlags.encode();
            default -> null;
        };
    }
}
