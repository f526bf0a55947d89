package io.anvil.agent;

import io.anvil.metrics.AnvilMetrics;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the agent intake, for metrics and for tests that assert how much a heartbeat storm cost. */
public final class AgentMetrics {
    final LongAdder accepted = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder readBatches = new LongAdder();
    final LongAdder livenessRecorded = new LongAdder();
    final LongAdder flushStatements = new LongAdder();
    final LongAdder rowsWritten = new LongAdder();
    final LongAdder rowsSkipped = new LongAdder();
    final LongAdder heartbeatEvents = new LongAdder();
    final LongAdder continuationsStarted = new LongAdder();
    final LongAdder continuationsCoalesced = new LongAdder();
    final LongAdder lookups = new LongAdder();
    final LongAdder tokensIssued = new LongAdder();

    /** Binds every counter as a series read when scraped (docs/operations.md#heartbeats). */
    public void bindTo(AnvilMetrics m) {
        m.counter(
                "anvil.agent.heartbeats", "Agent heartbeats by result", accepted, LongAdder::sum, "result", "accepted");
        m.counter(
                "anvil.agent.heartbeats", "Agent heartbeats by result", rejected, LongAdder::sum, "result", "rejected");
        m.counter(
                "anvil.agent.heartbeat.read.batches",
                "Batched node reads that validated heartbeats",
                readBatches,
                LongAdder::sum);
        m.counter(
                "anvil.agent.liveness.recorded",
                "Heartbeats whose liveness entered the coalescer",
                livenessRecorded,
                LongAdder::sum);
        m.counter(
                "anvil.agent.liveness.flushes",
                "UPDATE statements that wrote coalesced liveness",
                flushStatements,
                LongAdder::sum);
        m.counter("anvil.agent.liveness.rows", "Node rows written by liveness flushes", rowsWritten, LongAdder::sum);
        m.counter(
                "anvil.agent.heartbeat.events",
                "baremetal.node.heartbeat events written by liveness flushes",
                heartbeatEvents,
                LongAdder::sum);
        m.counter(
                "anvil.agent.continuations",
                "Heartbeat continuations: started, or coalesced into one already pending for the node",
                continuationsStarted,
                LongAdder::sum,
                "kind",
                "started");
        m.counter(
                "anvil.agent.continuations",
                "Heartbeat continuations: started, or coalesced into one already pending for the node",
                continuationsCoalesced,
                LongAdder::sum,
                "kind",
                "coalesced");
        m.counter("anvil.agent.lookups", "Agent lookups answered", lookups, LongAdder::sum);
        m.counter("anvil.agent.tokens.issued", "Agent tokens issued", tokensIssued, LongAdder::sum);
    }

    /** Heartbeats answered 202. */
    public long accepted() {
        return accepted.sum();
    }

    /** Heartbeats refused with an error (400/404). */
    public long rejected() {
        return rejected.sum();
    }

    /** Batched node reads (one SELECT each) that validated heartbeats. */
    public long readBatches() {
        return readBatches.sum();
    }

    /** Heartbeats whose liveness entered the coalescer (several per node may become one row). */
    public long livenessRecorded() {
        return livenessRecorded.sum();
    }

    /** UPDATE statements the liveness flusher ran (one per batch). */
    public long flushStatements() {
        return flushStatements.sum();
    }

    /** Node rows those statements changed. */
    public long rowsWritten() {
        return rowsWritten.sum();
    }

    /** Liveness entries not written: the node is gone or its token changed (a wiped or re-issued token wins). */
    public long rowsSkipped() {
        return rowsSkipped.sum();
    }

    /** {@code baremetal.node.heartbeat} events the flushes wrote (at most one per node per interval). */
    public long heartbeatEvents() {
        return heartbeatEvents.sum();
    }

    /** Continuations handed to the conductor. */
    public long continuationsStarted() {
        return continuationsStarted.sum();
    }

    /** Heartbeats that found a continuation of their node pending or running and joined it. */
    public long continuationsCoalesced() {
        return continuationsCoalesced.sum();
    }

    public long lookups() {
        return lookups.sum();
    }

    public long tokensIssued() {
        return tokensIssued.sum();
    }

    @Override
    public String toString() {
        return "AgentMetrics[accepted=" + accepted() + ", rejected=" + rejected() + ", readBatches=" + readBatches()
                + ", flushStatements=" + flushStatements() + ", rowsWritten=" + rowsWritten() + ", rowsSkipped="
                + rowsSkipped() + ", continuations=" + continuationsStarted() + ", coalesced="
                + continuationsCoalesced() + "]";
    }
}
