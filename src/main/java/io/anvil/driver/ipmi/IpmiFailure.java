package io.anvil.driver.ipmi;

import io.anvil.errors.AnvilException;
import io.vertx.core.Future;

/** Ironic's IPMIFailure ("IPMI call failed: &lt;ipmitool command&gt;."), with the client's reason appended. */
final class IpmiFailure {
    private IpmiFailure() {}

    static AnvilException of(String command, Throwable cause) {
        return new AnvilException(500, "IPMI call failed: " + command + ". " + cause.getMessage(), cause);
    }

    static <T> Future<T> wrap(String command, Future<T> call) {
        return call.recover(e -> Future.failedFuture(e instanceof AnvilException ? e : of(command, e)));
    }
}
