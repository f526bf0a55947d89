package io.anvil.sim.bmc;

/**
 * A snapshot of one simulated BMC's counters (monotonic since start).
 *
 * @param received         datagrams that reached the BMC (including those then dropped by a fault)
 * @param answered         datagrams sent back
 * @param droppedByFault   datagrams ignored because of {@link BmcFaults#dropRate()} or {@link BmcFaults#silent()}
 * @param rejected         datagrams dropped by the session layer: bad ICV/auth code, replayed or out-of-window
 *                         sequence, unknown session, undecodable payload
 * @param commands         IPMI commands answered inside a session
 * @param sessionsOpened   sessions established (RAKP4 sent with status 0, or Activate Session answered)
 * @param sessionsClosed   sessions ended by Close Session
 * @param sessionsExpired  sessions and handshakes dropped for inactivity
 * @param sessionsRefused  Open Session answered "insufficient resources" / Activate Session "no slot"
 * @param authFailures     wrong password seen: bad RAKP3 auth code, RAKP3 carrying an error status (the
 *                         client rejected our RAKP2 HMAC), or a bad v1.5 Activate Session auth code
 * @param handshakesAbandoned RMCP+ handshakes that got our RAKP2 and never sent RAKP3 (counted when the
 *                         slot times out or is reclaimed). ipmitool and FreeIPMI silently give up when our
 *                         RAKP2 HMAC does not match their password, so this is how a wrong password shows
 * @param unknownUsers     RAKP1 / Get Session Challenge naming a user that does not exist
 * @param privilegeDenied  commands answered 0xD4 (insufficient privilege), plus refused privilege raises
 * @param chassisControls  Chassis Control commands accepted
 * @param powerOns         off → on transitions (including the second half of a power cycle)
 * @param powerOffs        on → off transitions
 * @param boots            system boots: power-ons plus hard resets
 * @param internalErrors   unexpected exceptions while handling a datagram (should stay 0)
 * @param diagnosticInterrupts Chassis Control "pulse diagnostic interrupt" (NMI) requests accepted
 * @param bmcResets        Application Cold Reset and Warm Reset requests accepted
 * @param solActivations   SOL payload activations accepted (IPMI v2.0 §24.1)
 * @param solCharsIn       characters the console sent over SOL and the BMC accepted (retransmits not counted twice)
 * @param solCharsOut      characters of console output the console acknowledged
 * @param solBreaks        SOL packets asking for a serial break (IPMI v2.0 §15.9)
 * @param solRetransmits   SOL output packets sent again because no acknowledgement came in time
 */
public record BmcCounters(
        long received,
        long answered,
        long droppedByFault,
        long rejected,
        long commands,
        long sessionsOpened,
        long sessionsClosed,
        long sessionsExpired,
        long sessionsRefused,
        long authFailures,
        long handshakesAbandoned,
        long unknownUsers,
        long privilegeDenied,
        long chassisControls,
        long powerOns,
        long powerOffs,
        long boots,
        long internalErrors,
        long diagnosticInterrupts,
        long bmcResets,
        long solActivations,
        long solCharsIn,
        long solCharsOut,
        long solBreaks,
        long solRetransmits) {}
