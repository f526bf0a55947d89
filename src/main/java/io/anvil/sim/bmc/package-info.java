/**
 * BMC simulator: the server side of {@link io.anvil.ipmi.codec}, able to host 10,000 BMCs in one process.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * SimulatedFleet fleet = SimulatedFleet.start(vertx, new FleetOptions().count(100)).await…;  // Future<SimulatedFleet>
 * SimulatedBmc bmc = fleet.bmc(0);                 // bmc.host(), bmc.port(), bmc.hostAndPort()
 * bmc.power(); bmc.bootFlags(); bmc.counters();    // state, readable from any thread
 * bmc.whenPower(PowerState.ON);                     // Future: wait for a (possibly delayed) transition
 * bmc.when(c -> c.sessionsOpened() >= 1);           // Future: wait for any counter condition
 * bmc.faults(BmcFaults.NONE.withDropRate(0.2));     // fault injection, any thread
 * fleet.close();
 * }</pre>
 * CLI: {@code anvil sim bmc --count N [--base-port P] [--host H] [--addresses] [--user U --password P]}.
 *
 * <h2>What a simulated BMC speaks</h2>
 * ASF presence ping; IPMI v1.5 sessions (NONE/MD2/MD5/straight password: Get Channel Auth Capabilities,
 * Get Session Challenge, Activate Session); RMCP+ sessions with cipher suites 0, 1, 2, 3, 17 (Open Session,
 * RAKP 1–4, Get Channel Cipher Suites pre-session in either framing); Set Session Privilege Level, Close
 * Session; Get Device ID/GUID, Get Chassis Status, Chassis Control, Chassis Identify, Set/Get System Boot
 * Options (parameters 0, 3, 4, 5), Get SEL Info, Get Sensor Reading (sensors 1–3). Commands need the
 * spec's default privilege (0xD4 otherwise); sessions start at USER.
 *
 * <h2>Design</h2>
 * One Netty datagram channel per BMC on a private {@code MultiThreadIoEventLoopGroup} owned by the fleet:
 * {@code RmcpDatagramCodec} (shared) → {@link io.anvil.sim.bmc.BmcChannelHandler} → {@link io.anvil.sim.bmc.SimulatedBmc}
 * (the UDP endpoint) → {@link io.anvil.sim.bmc.RmcpPlusHandshake} / {@link io.anvil.sim.bmc.V15Handshake} (the
 * server side of the client's session machines: login and session framing) with the
 * {@link io.anvil.sim.bmc.SessionTable} → {@link io.anvil.sim.bmc.CommandDispatcher} (pre-session and session
 * commands, privilege) → {@link io.anvil.sim.bmc.BmcCommands} → {@link io.anvil.sim.bmc.SimulatedChassis} (power,
 * its timers, boot options). {@link io.anvil.sim.bmc.BmcFaults} and {@link io.anvil.sim.bmc.LiveCounters} are read
 * and written along the way.
 * All of a BMC's state, its session table and all crypto are confined to its channel's event-loop thread —
 * no locks, no hops, and nothing runs on Vert.x event loops. Idle BMCs hold no session map and no buffers
 * (≈2.7 KB of heap per BMC including the channel, measured at 10,000 BMCs).
 */
package io.anvil.sim.bmc;
