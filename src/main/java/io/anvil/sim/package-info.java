/**
 * The fleet simulator: stand-ins for the machines Anvil manages, reached over the network only, never through
 * Anvil's own classes. {@link io.anvil.sim.bmc} holds the simulated BMCs (IPMI over LAN).
 */
package io.anvil.sim;
