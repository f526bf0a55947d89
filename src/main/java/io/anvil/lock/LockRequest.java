package io.anvil.lock;

import java.time.Duration;
import java.util.Objects;

/**
 * What a caller asks for: a mode, a wait policy and a purpose (shown to others in NodeLocked errors and in
 * {@code GET /v1/nodes/{id}/lock}). Example: {@code LockRequest.exclusive("deploy").patient()}.
 */
public record LockRequest(LockMode mode, WaitPolicy policy, String purpose) {
    public LockRequest {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(policy, "policy");
        purpose = purpose == null || purpose.isBlank() ? "unspecified action" : purpose;
    }

    /** An exclusive try-once request; change the policy with {@link #patient()} or {@link #bounded(Duration)}. */
    public static LockRequest exclusive(String purpose) {
        return new LockRequest(LockMode.EXCLUSIVE, WaitPolicy.tryOnce(), purpose);
    }

    /** A shared try-once request. */
    public static LockRequest shared(String purpose) {
        return new LockRequest(LockMode.SHARED, WaitPolicy.tryOnce(), purpose);
    }

    public LockRequest tryOnce() {
        return new LockRequest(mode, WaitPolicy.tryOnce(), purpose);
    }

    public LockRequest bounded(Duration maxWait) {
        return new LockRequest(mode, WaitPolicy.bounded(maxWait), purpose);
    }

    public LockRequest patient() {
        return new LockRequest(mode, WaitPolicy.patient(), purpose);
    }
}
