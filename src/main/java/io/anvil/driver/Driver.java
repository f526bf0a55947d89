package io.anvil.driver;

/**
 * The interfaces loaded for one node (Ironic's task.driver). An interface a node has disabled
 * ({@code no-inspect}, {@code no-rescue}, {@code no-bios}, {@code no-raid}, {@code no-vendor}) is null; callers answer "not supported".
 * {@code boot} is null for the {@code fake} boot interface (nothing to boot).
 */
public record Driver(
        HardwareType type,
        PowerInterface power,
        ManagementInterface management,
        DeployInterface deploy,
        InspectInterface inspect,
        RescueInterface rescue,
        BiosInterface bios,
        RaidInterface raid,
        VendorInterface vendor,
        BootInterface boot) {}
