package io.anvil.sim.redfish;

/**
 * The fleet's TLS handshakes so far: all that completed, and those that resumed an earlier session instead of a full
 * key exchange and certificate signature.
 */
public record TlsHandshakes(long completed, long resumed) {}
