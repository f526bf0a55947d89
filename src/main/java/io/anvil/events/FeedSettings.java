package io.anvil.events;

import io.anvil.config.AnvilConfig;
import java.time.Duration;

/**
 * The {@code feed} section (docs/events.md) and the node-history retention of the {@code conductor} section (Ironic's
 * {@code node_history_*} options). Durations are seconds in the file; a zero age or count means "no limit".
 */
public record FeedSettings(
        int subscriberBuffer,
        Duration keepalive,
        Duration idleTimeout,
        int maxConnectionsPerClient,
        int maxConnections,
        Duration pollInterval,
        Duration notifyInterval,
        int batchSize,
        Duration auditDelay,
        Duration retentionAge,
        long retentionMaxEvents,
        int historyMaxEntries,
        Duration historyMaxAge,
        int historyBatchCount,
        int historyMinimumDays) {

    /** @throws AnvilConfig.ConfigException naming the setting that is out of range */
    public static FeedSettings from(AnvilConfig config) {
        return new FeedSettings(
                atLeast(config, "feed.subscriber_buffer", 1),
                positiveSeconds(config, "feed.keepalive"),
                seconds(config, "feed.idle_timeout"),
                atLeast(config, "feed.max_connections_per_client", 1),
                atLeast(config, "feed.max_connections", 1),
                positiveSeconds(config, "feed.poll_interval"),
                seconds(config, "feed.notify_interval"),
                atLeast(config, "feed.batch_size", 1),
                seconds(config, "feed.audit_delay"),
                seconds(config, "feed.retention_age"),
                atLeast(config, "feed.retention_max_events", 0),
                atLeast(config, "conductor.node_history_max_entries", 0),
                seconds(config, "conductor.node_history_max_age"),
                atLeast(config, "conductor.node_history_cleanup_batch_count", 1),
                atLeast(config, "conductor.node_history_minimum_days", 0));
    }

    private static int atLeast(AnvilConfig config, String key, int min) {
        Object o = config.setting(key).orElseThrow(() -> new AnvilConfig.ConfigException("missing setting " + key));
        int v;
        try {
            v = o instanceof Number n
                    ? n.intValue()
                    : Integer.parseInt(o.toString().trim());
        } catch (NumberFormatException e) {
            throw new AnvilConfig.ConfigException(key + " must be a whole number, got '" + o + "'");
        }
        if (v < min) {
            throw new AnvilConfig.ConfigException(key + " must be at least " + min + ", got " + v);
        }
        return v;
    }

    private static Duration seconds(AnvilConfig config, String key) {
        Object o = config.setting(key).orElseThrow(() -> new AnvilConfig.ConfigException("missing setting " + key));
        double s;
        try {
            s = o instanceof Number n
                    ? n.doubleValue()
                    : Double.parseDouble(o.toString().trim());
        } catch (NumberFormatException e) {
            throw new AnvilConfig.ConfigException(key + " must be a number of seconds, got '" + o + "'");
        }
        if (s < 0) {
            throw new AnvilConfig.ConfigException(key + " must not be negative, got " + o);
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    private static Duration positiveSeconds(AnvilConfig config, String key) {
        Duration d = seconds(config, key);
        if (d.isZero()) {
            throw new AnvilConfig.ConfigException(key + " must be more than 0 seconds");
        }
        return d;
    }
}
