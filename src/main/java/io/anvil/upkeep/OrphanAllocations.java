package io.anvil.upkeep;

import io.anvil.conductor.Allocations;
import io.anvil.periodic.Periodic;
import io.vertx.core.Future;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocations left {@code allocating} by a conductor that stopped (docs/api.md#allocations): resumed once when this
 * conductor starts (Ironic's BaseConductorManager._resume_allocations: its own, from before a restart) and taken over
 * periodically from conductors that are no longer alive (ConductorManager._check_orphan_allocations, every
 * {@code conductor.check_allocations_interval} seconds; 0 turns it off).
 */
public final class OrphanAllocations {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanAllocations.class);

    private final Allocations allocations;
    private final Duration heartbeatTimeout;

    public OrphanAllocations(Allocations allocations, Duration heartbeatTimeout) {
        this.allocations = allocations;
        this.heartbeatTimeout = heartbeatTimeout;
    }

    /** At start: this conductor's unfinished allocations (and those of dead conductors). */
    public Future<Integer> resumeAtStart() {
        return allocations
                .resumeUnfinished(true, heartbeatTimeout)
                .onSuccess(n -> {
                    if (n > 0) {
                        LOG.info("Resumed {} unfinished allocations", n);
                    }
                })
                .onFailure(e -> LOG.warn("Resuming unfinished allocations failed: {}", e.toString()));
    }

    @Periodic(spacing = "conductor.check_allocations_interval", parallel = false, name = "check_orphan_allocations")
    public Future<Integer> checkOrphanAllocations() {
        return allocations.resumeUnfinished(false, heartbeatTimeout);
    }
}
