package io.anvil.periodic;

/**
 * How one walk over nodes went: how many owned nodes were listed, visited (the visitor ran), skipped because
 * locked (try-once refused, or an upgrade refused), gone (deleted meanwhile), skipped by the interface check,
 * failed (visitor error, logged), and whether it stopped early (visitor STOP, limit, no free worker, shutdown).
 */
public record WalkResult(
        int listed, int visited, int locked, int gone, int otherDriver, int failed, boolean stoppedEarly) {}
