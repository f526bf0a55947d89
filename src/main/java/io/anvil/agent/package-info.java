/**
 * The ramdisk agent's side of the conductor (docs/agent.md): lookup and agent tokens ({@link AgentLookup},
 * {@link AgentTokens}), the heartbeat intake ({@link HeartbeatIntake}: validated against a batched read of the node,
 * no lock, no worker, no transaction), the liveness coalescer ({@link LivenessCoalescer}: one UPDATE per batch) and the
 * continuation dispatch ({@link Continuations}: at most one pending per node, handed to the conductor's patient
 * lock). {@link AgentService} wires them; the HTTP shape lives in {@code api.AgentApi}.
 */
package io.anvil.agent;
