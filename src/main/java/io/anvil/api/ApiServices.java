package io.anvil.api;

import io.anvil.cluster.ConductorRegistry;
import io.anvil.config.AnvilConfig;
import io.anvil.driver.HardwareTypes;
import io.anvil.store.ResourceStore;

/** What the API verticles share: wired once by the composition root. */
public record ApiServices(
        AnvilConfig config,
        ResourceStore store,
        HardwareTypes hardwareTypes,
        ConductorRegistry conductors,
        io.anvil.events.Outbox outbox,
        io.anvil.conductor.Conductor conductor,
        io.anvil.agent.AgentService agent,
        io.anvil.conductor.Consoles consoles) {}
