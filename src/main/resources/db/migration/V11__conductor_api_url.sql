-- Where other conductors reach this conductor's API (docs/console.md#ownership-and-take-over): a viewer whose
-- WebSocket lands on a conductor that does not hold the node's console is relayed to the one that does.
ALTER TABLE conductors ADD COLUMN api_url TEXT;
