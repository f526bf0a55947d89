package io.anvil.conductor;

import io.anvil.store.RowGuard;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a task's node write is fenced. Usually the row was claimed when the task took the lock, and every write
 * requires {@code lock_fence = token}. A short record edit ({@link TaskOptions#claimOnFirstWrite}) reads the row
 * under its lock without claiming it; its first write is then its claim: it sets the token and holds only while the
 * row is still the version read ({@code xmin}) with an older fence, so nothing written meanwhile — by a holder whose
 * lease ran out, or a lock-free liveness write — is overwritten by a change decided on the old row.
 */
record NodeFence(long token, Long readVersion) {
    static NodeFence claimed(long token) {
        return new NodeFence(token, null);
    }

    static NodeFence firstWrite(long token, long readVersion) {
        return new NodeFence(token, readVersion);
    }

    /** Whether this write is also the claim (the row does not carry the token yet). */
    boolean claimsWithWrite() {
        return readVersion != null;
    }

    RowGuard guard() {
        return claimsWithWrite()
                ? RowGuard.of("lock_fence < ? AND t.xmin::text::bigint = ?", token, readVersion)
                : RowGuard.of("lock_fence = ?", token);
    }

    /** The columns to write: with the token when the write is the claim. */
    Map<String, Object> columns(Map<String, Object> columns) {
        if (!claimsWithWrite()) {
            return columns;
        }
        Map<String, Object> out = new LinkedHashMap<>(columns);
        out.put("lock_fence", token);
        return out;
    }

    /**
     * Why a write matched no row: a claimed row's fence moved on (a newer holder); a row read but not claimed may
     * also just have changed since (then the task claims it and runs its work again: {@link RowChangedSinceRead}).
     */
    RuntimeException refused(String uuid) {
        return claimsWithWrite() ? new RowChangedSinceRead(uuid) : new ConductorErrors.LeaseLost(uuid);
    }

    /**
     * The row read without a claim changed before the task's first write; nothing was written. {@code withTask}
     * claims the row and runs the work again; should it ever reach a client, it says to retry (409, as LeaseLost).
     */
    static final class RowChangedSinceRead extends io.anvil.errors.AnvilException {
        RowChangedSinceRead(String uuid) {
            super(409, "Node " + uuid + " changed while it was being updated; nothing was written. Please retry.");
        }
    }
}
