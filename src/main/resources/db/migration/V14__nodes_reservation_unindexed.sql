-- Every exclusive task sets `reservation` when it claims a node and clears it when it ends. An index on that column
-- made each of those writes a non-heap-only update: a new entry in every one of the table's nine indexes, twice per
-- API change or power-sync check, and the room V3 left on each page went unused. Without it, claims, releases and
-- writes of unindexed columns (maintenance, power_state, last_error, agent liveness, …) stay heap-only tuples.
-- The queries that looked for reserved nodes (a conductor's start-up, the stuck-reservation and take-over checks)
-- run seldom and scan the table instead: about 5 MB per 10,000 nodes.
DROP INDEX IF EXISTS nodes_reservation_idx;
