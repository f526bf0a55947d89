/**
 * The fleet simulator: stand-ins for the machines Anvil manages, reached over the network only, never through
 * Anvil's own classes. {@link io.anvil.sim.bmc} holds the simulated IPMI BMCs (IPMI over LAN),
 * {@link io.anvil.sim.redfish} the simulated Redfish BMCs (HTTPS, docs/redfish.md) and {@link io.anvil.sim.agent}
 * the simulated ramdisk agents both kinds of machine boot.
 */
package io.anvil.sim;
