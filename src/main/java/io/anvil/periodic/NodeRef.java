package io.anvil.periodic;

import io.vertx.core.json.JsonObject;

/**
 * A node as listed by a {@link NodeFilter}, before any lock: its identity, what the hash ring needs, and the
 * selected columns in API form ({@code row}). Re-check anything that matters under the lock.
 */
public record NodeRef(String uuid, String driver, String conductorGroup, JsonObject row) {}
