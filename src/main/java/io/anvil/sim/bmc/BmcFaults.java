package io.anvil.sim.bmc;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fault injection knobs of one simulated BMC (immutable; swap the whole value with
 * {@link SimulatedBmc#faults(BmcFaults)}, from any thread). {@link #NONE} is a healthy BMC.
 *
 * @param dropRate           fraction 0.0–1.0 of incoming datagrams silently dropped (packet loss)
 * @param silent             the BMC is "gone": every datagram is dropped (counted as received)
 * @param responseDelay      every answer is sent this late (slow BMC); zero = immediately
 * @param openSessionStatus  when non-zero, every Open Session Request is refused with this RMCP+ status
 *                           (e.g. 0x01 insufficient resources, 0x11 no cipher suite match)
 * @param rakp2Status        when non-zero, every RAKP1 is answered with a RAKP2 carrying this status
 *                           (e.g. 0x0D unauthorized name, 0x12 illegal parameter)
 * @param corruptRakp2       the RAKP2 key-exchange auth code is wrong: the client reports "RAKP 2 HMAC is
 *                           invalid", exactly as for a wrong password
 * @param corruptRakp4       the RAKP4 integrity check value is wrong ("RAKP 4 ICV is invalid")
 * @param ignoreSoftOff      the "operating system" ignores ACPI soft-off: Chassis Control 5 is accepted
 *                           but the power never goes off
 * @param completionCode     when non-zero, every in-session command other than session management is
 *                           answered with this completion code (e.g. 0xC0 node busy, 0xFF unspecified)
 */
public record BmcFaults(
        double dropRate,
        boolean silent,
        Duration responseDelay,
        int openSessionStatus,
        int rakp2Status,
        boolean corruptRakp2,
        boolean corruptRakp4,
        boolean ignoreSoftOff,
        int completionCode) {

    public static final BmcFaults NONE = new BmcFaults(0, false, Duration.ZERO, 0, 0, false, false, false, 0);

    public BmcFaults {
        if (!(dropRate >= 0 && dropRate <= 1)) {
            throw new IllegalArgumentException("dropRate must be within 0..1");
        }
        Objects.requireNonNull(responseDelay, "responseDelay");
        if (responseDelay.isNegative()) {
            throw new IllegalArgumentException("responseDelay must not be negative");
        }
        checkByte(openSessionStatus, "openSessionStatus");
        checkByte(rakp2Status, "rakp2Status");
        checkByte(completionCode, "completionCode");
    }

    private static void checkByte(int v, String name) {
        if (v < 0 || v > 0xFF) {
            throw new IllegalArgumentException(name + " is one byte");
        }
    }

    public boolean healthy() {
        return equals(NONE);
    }

    /** Whether the next incoming datagram is lost: always when silent, else with probability {@code dropRate}. */
    boolean dropsDatagram() {
        return silent || (dropRate > 0 && ThreadLocalRandom.current().nextDouble() < dropRate);
    }

    /** Spoils an auth code or ICV in place, so the peer's check fails as it would for a wrong key. */
    static void corrupt(byte[] code) {
        if (code.length > 0) {
            code[0] ^= 0x5A;
        }
    }

    public BmcFaults withDropRate(double rate) {
        return new BmcFaults(
                rate,
                silent,
                responseDelay,
                openSessionStatus,
                rakp2Status,
                corruptRakp2,
                corruptRakp4,
                ignoreSoftOff,
                completionCode);
    }

    public BmcFaults withSilent(boolean value) {
        return new BmcFaults(
                dropRate,
                value,
                responseDelay,
                openSessionStatus,
                rakp2Status,
                corruptRakp2,
                corruptRakp4,
                ignoreSoftOff,
                completionCode);
    }

    public BmcFaults withResponseDelay(Duration delay) {
        return new BmcFaults(
                dropRate,
                silent,
                delay,
                openSessionStatus,
                rakp2Status,
                corruptRakp2,
                corruptRakp4,
                ignoreSoftOff,
                completionCode);
    }

    public BmcFaults withOpenSessionStatus(int status) {
        return new BmcFaults(
                dropRate,
                silent,
                responseDelay,
                status,
                rakp2Status,
                corruptRakp2,
                corruptRakp4,
                ignoreSoftOff,
                completionCode);
    }

    public BmcFaults withRakp2Status(int status) {
        return new BmcFaults(
                dropRate,
                silent,
                responseDelay,
                openSessionStatus,
                status,
                corruptRakp2,
                corruptRakp4,
                ignoreSoftOff,
                completionCode);
    }

    public BmcFaults withCorruptRakp2(boolean value) {
        return new BmcFaults(
                dropRate,
                silent,
                responseDelay,
                openSessionStatus,
                rakp2Status,
                value,
                corruptRakp4,
                ignoreSoftOff,
                completionCode);
    }

    public BmcFaults withCorruptRakp4(boolean value) {
        return new BmcFaults(
                dropRate,
                silent,
                responseDelay,
                openSessionStatus,
                rakp2Status,
                corruptRakp2,
                value,
                ignoreSoftOff,
                completionCode);
    }

    public BmcFaults withIgnoreSoftOff(boolean value) {
        return new BmcFaults(
                dropRate,
                silent,
                responseDelay,
                openSessionStatus,
                rakp2Status,
                corruptRakp2,
                corruptRakp4,
                value,
                completionCode);
    }

    public BmcFaults withCompletionCode(int code) {
        return new BmcFaults(
                dropRate,
                silent,
                responseDelay,
                openSessionStatus,
                rakp2Status,
                corruptRakp2,
                corruptRakp4,
                ignoreSoftOff,
                code);
    }
}
