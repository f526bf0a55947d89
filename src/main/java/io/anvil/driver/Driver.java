package io.anvil.driver;

/**
 * The interfaces loaded for one node (Ironic's task.driver). An interface a node has disabled
 * ({@code no-inspect}, {@code no-rescue}) is null; callers answer "not supported".
 */
public record Driver(
        HardwareType type,
        PowerInterface power,
        ManagementInterface management,
        DeployInterface deploy,
        InspectInterface inspect,
        RescueInterface rescue) {}
