/**
 * Redfish BMC simulator: N simulated Redfish services (DMTF DSP0266) in one process, for the {@code redfish} hardware
 * type's tests, interop with sushy (the library Ironic uses) and benchmarks. docs/redfish.md ("Simulator") describes
 * the resources, faults, TLS and the virtual-media boot convention.
 *
 * <pre>{@code
 * RedfishFleet fleet = RedfishFleet.start(vertx, new RedfishFleetOptions().count(100).basePort(0)).await…;
 * SimulatedRedfishBmc bmc = fleet.bmc(0);   // address(), systemPath(), power(), bootTarget(), mediaImage("Cd"), …
 * bmc.faults(RedfishFaults.NONE.withResponseDelay(Duration.ofSeconds(2)));
 * fleet.close();
 * }</pre>
 *
 * {@link io.anvil.sim.redfish.RedfishFleet} binds one HTTP(S) server per BMC and owns the shared
 * {@link io.anvil.sim.redfish.RedfishHandler} (faults, authentication, routing); each
 * {@link io.anvil.sim.redfish.SimulatedRedfishBmc} keeps its machine's state on its server's context;
 * {@link io.anvil.sim.redfish.RedfishResources} renders the JSON; {@link io.anvil.sim.redfish.Hardware} derives the
 * hardware from the index as the simulated agent does; {@link io.anvil.sim.redfish.RedfishAgents} boots the
 * simulated agent when a machine boots from virtual media or the network.
 */
package io.anvil.sim.redfish;
