package io.anvil.sim.redfish;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fault injection knobs of one simulated Redfish BMC (immutable; swap the whole value with
 * {@link SimulatedRedfishBmc#faults(RedfishFaults)} or fleet-wide with {@link RedfishFleet#faults(RedfishFaults)}, from
 * any thread). {@link #NONE} is a healthy BMC.
 *
 * @param responseDelay every answer is sent this late (a slow BMC); zero = at once
 * @param unavailableRate fraction 0.0–1.0 of requests answered 503 {@code Base.1.8.ServiceTemporarilyUnavailable}
 *     with {@code Retry-After} (a BMC busy or rebooting its web server); 1.0 = every request
 * @param rejectPassword every login and every Basic request fails with 401, as if the BMC's password had been changed
 * @param sessionTtl when non-null, sessions expire this long after their last use instead of after the fleet's
 *     {@code SessionTimeout} (zero: every token is refused at its first use)
 * @param sessionMaxUses when positive, a session is gone after serving this many requests (a BMC that drops
 *     sessions early, as some do under load): the client's next request with it is 401 and it must log in again
 * @param mediaUnreachable a virtual-media boot fails as if the BMC could not fetch the image
 */
public record RedfishFaults(
        Duration responseDelay,
        double unavailableRate,
        boolean rejectPassword,
        Duration sessionTtl,
        int sessionMaxUses,
        boolean mediaUnreachable) {

    public static final RedfishFaults NONE = new RedfishFaults(Duration.ZERO, 0, false, null, 0, false);

    public RedfishFaults {
        Objects.requireNonNull(responseDelay, "responseDelay");
        if (responseDelay.isNegative()) {
            throw new IllegalArgumentException("responseDelay must not be negative");
        }
        if (!(unavailableRate >= 0 && unavailableRate <= 1)) {
            throw new IllegalArgumentException("unavailableRate must be within 0..1");
        }
        if (sessionMaxUses < 0) {
            throw new IllegalArgumentException("sessionMaxUses must not be negative");
        }
        if (sessionTtl != null && sessionTtl.isNegative()) {
            throw new IllegalArgumentException("sessionTtl must not be negative");
        }
    }

    public boolean healthy() {
        return equals(NONE);
    }

    /** Whether the next request gets a 503. */
    boolean unavailableNow() {
        return unavailableRate >= 1
                || (unavailableRate > 0 && ThreadLocalRandom.current().nextDouble() < unavailableRate);
    }

    public RedfishFaults withResponseDelay(Duration delay) {
        return new RedfishFaults(delay, unavailableRate, rejectPassword, sessionTtl, sessionMaxUses, mediaUnreachable);
    }

    public RedfishFaults withUnavailableRate(double rate) {
        return new RedfishFaults(responseDelay, rate, rejectPassword, sessionTtl, sessionMaxUses, mediaUnreachable);
    }

    public RedfishFaults withRejectPassword(boolean reject) {
        return new RedfishFaults(responseDelay, unavailableRate, reject, sessionTtl, sessionMaxUses, mediaUnreachable);
    }

    public RedfishFaults withSessionTtl(Duration ttl) {
        return new RedfishFaults(responseDelay, unavailableRate, rejectPassword, ttl, sessionMaxUses, mediaUnreachable);
    }

    public RedfishFaults withSessionMaxUses(int uses) {
        return new RedfishFaults(responseDelay, unavailableRate, rejectPassword, sessionTtl, uses, mediaUnreachable);
    }

    public RedfishFaults withMediaUnreachable(boolean unreachable) {
        return new RedfishFaults(
                responseDelay, unavailableRate, rejectPassword, sessionTtl, sessionMaxUses, unreachable);
    }
}
