package io.anvil.sim.bmc;

/** Chassis power as a simulated BMC reports it in Get Chassis Status. */
public enum PowerState {
    OFF,
    ON
}
