/**
 * Implementation of {@link io.anvil.ipmi.client.IpmiClient}; see {@link io.anvil.ipmi.client} for the shape
 * and the choices. Everything here except {@link io.anvil.ipmi.client.impl.IpmiClientImpl#stats()},
 * the counters and the governor snapshots is confined to the client's worker context.
 */
package io.anvil.ipmi.client.impl;
