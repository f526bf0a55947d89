package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.crypto.RakpExchange;
import io.anvil.ipmi.codec.session.RmcpPlusSession;
import io.anvil.ipmi.codec.session.V15Session;
import java.net.InetSocketAddress;

/**
 * One slot of a simulated BMC's session table: a handshake in progress or an established session.
 * Confined to the BMC's event-loop thread. Keys live only inside {@link RmcpPlusSession}/{@link V15Session}.
 */
final class SimSession {

    enum State {
        /** RMCP+: Open Session answered, waiting for RAKP1. */
        OPENED,
        /** RMCP+: RAKP2 sent, waiting for RAKP3. */
        RAKP2_SENT,
        /** v1.5: challenge issued, waiting for Activate Session. */
        CHALLENGED,
        /** Established (RAKP4 sent / Activate Session answered). */
        ACTIVE
    }

    final int id;
    final boolean rmcpPlus;
    final InetSocketAddress peer;
    State state;
    long lastActivityNanos;

    // RMCP+ handshake
    int consoleSessionId;
    CipherSuite suite;
    int openSessionMaxPrivilege;
    RakpExchange exchange;

    // v1.5 handshake
    AuthType authType;
    byte[] challenge;

    SimUser user;
    Privilege maxPrivilege = Privilege.USER;
    Privilege privilege = Privilege.USER;

    RmcpPlusSession plus;
    V15Session v15;

    SimSession(int id, boolean rmcpPlus, InetSocketAddress peer, State state, long now) {
        this.id = id;
        this.rmcpPlus = rmcpPlus;
        this.peer = peer;
        this.state = state;
        this.lastActivityNanos = now;
    }

    boolean active() {
        return state == State.ACTIVE;
    }

    @Override
    public String toString() {
        return String.format(
                "SimSession[%08x, %s, %s, user=%s, priv=%s]",
                id, rmcpPlus ? "RMCP+" : "v1.5", state, user == null ? "-" : user.name(), privilege);
    }
}
