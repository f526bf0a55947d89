/**
 * Anvil's non-blocking IPMI-over-LAN client (IPMI v2.0/RMCP+ and v1.5), built on {@link io.anvil.ipmi.codec}.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * IpmiClient.create(vertx, new IpmiClientOptions())              // deploys an IpmiClientVerticle (WORKER)
 *   .compose(ipmi -> ipmi.chassisControl(BmcTarget.of("10.0.0.5", 623, "admin", pw), Action.POWER_UP))
 * }</pre>
 * Every method can be called from any context; its future completes on the caller's context.
 *
 * <h2>Threads</h2>
 * A worker verticle owns everything: sessions, RAKP/HMAC/AES work, retransmit timers (Vert.x timers on its
 * context) and governors. Socket I/O runs on a private one-thread Netty event loop that only decodes the
 * RMCP framing and hands datagrams over with {@code runOnContext} (docs/architecture.md#threads). Crypto never runs
 * on a Vert.x event loop or on the Netty thread.
 *
 * <h2>Shape ({@code impl})</h2>
 * <pre>
 *  IpmiClientImpl          facade: context hops, one governed operation per call, keepalive/idle-close timer
 *   └ BmcEndpoint          per BMC address: demultiplexing, rqSeq, pending requests, sessions per credentials
 *      ├ Governor          FIFO queue, in-flight cap, spacing, CircuitBreaker
 *      ├ Exchange          one request: retransmit timer, fresh packet (session seq) per try
 *      └ ClientSession     life cycle; RmcpPlusSessionMachine (Open Session, RAKP 1-4, suite 17→3)
 *                                      V15SessionMachine (challenge, Activate Session)
 *  UdpTransport            Netty bootstrap, N datagram channels, SO_RCVBUF
 * </pre>
 *
 * <h2>Choices</h2>
 * <ul>
 *   <li><b>Keepalive</b>: an ACTIVE session with no traffic for {@code keepaliveInterval} (20 s, two thirds of
 *       ipmi_sim's 30 s idle timeout, a third of the common 60 s) gets a Get Device ID through the
 *       governor — USER-level and free of side effects. Each session waits for its own next keepalive or idle
 *       close on the client's deadline queue (no periodic scan of every session). A session no caller used for
 *       {@code sessionIdleClose} (300 s, five power-sync intervals) is closed instead and reopened lazily on the next call, so an
 *       idle conductor does not pin a slot on every BMC (many allow only 4–5 sessions).</li>
 *   <li><b>Dead sessions</b>: a command that times out inside a session drops the session (no Close Session:
 *       the BMC is not answering); the next operation opens a new one. The timed-out command is not
 *       retried — Chassis Control is not idempotent.</li>
 *   <li><b>Handshake retries</b>: each step retransmits like any request; a RAKP step that times out, or an
 *       "invalid/inactive session id" status, restarts the whole handshake with a new SIDm
 *       ({@code handshakeAttempts}, 3). Open Session refused for algorithm reasons (0x04, 0x05, 0x06, 0x07,
 *       0x10, 0x11), answered with other algorithms, or not answered at all moves from suite 17 to 3
 *       (only when no suite is configured). The suite that worked is remembered per BMC.</li>
 *   <li><b>Unauthenticated answers</b> (pre-session replies, Open Session Response, RAKP 2/4) are matched
 *       on SIDm (RAKP) or (rqSeq, netFn, cmd) (pre-session), with rqSeq starting at a random value per BMC.
 *       A RAKP answer that decodes but is refused (bad HMAC, error status) fails the step only if no
 *       acceptable answer follows within 200 ms, so a corrupted copy cannot end a handshake.</li>
 *   <li><b>Circuit breaker</b>: timeouts, bad credentials, unknown user, session limit and other session
 *       setup failures count; a completion code, a privilege error or a boot read-back mismatch proves the
 *       BMC answers and resets the count. Bad credentials count so a wrong password does not lock the
 *       account out by hammering.</li>
 *   <li><b>Privilege</b>: requested in Open Session / RAKP1 / Activate Session, then Set Session Privilege
 *       Level; a BMC that grants less than asked is reported as {@link
 *       io.anvil.ipmi.client.InsufficientPrivilegeException}.</li>
 *   <li><b>v1.5 wrong password</b>: ipmi_sim silently drops an Activate Session whose auth code is wrong, so
 *       "challenge answered, activation never answered" is reported as
 *       {@link io.anvil.ipmi.client.BadCredentialsException} (carrying the timeout as cause).</li>
 * </ul>
 */
package io.anvil.ipmi.client;
