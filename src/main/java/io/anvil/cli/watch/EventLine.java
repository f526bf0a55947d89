package io.anvil.cli.watch;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * One readable line per feed event for {@code anvil watch}:
 *
 * <pre>
 * 2026-12-05T23:00:00.123Z #1234 INFO  n1 baremetal.node.provision_set.end provision deploying -&gt; active  power on
 * </pre>
 *
 * time in UTC to the millisecond, the sequence number (what {@code --since} takes), the level, the node's name (its
 * uuid when it has none), Ironic's event type, then what changed: the provision state as {@code previous -> new} when
 * the payload names a different previous state (with the target while one is set), the power state likewise,
 * maintenance and fault when set, and {@code last_error} when present; a heartbeat event (docs/events.md#event-types)
 * shows the agent's version and last heartbeat. States hold spaces ("power on", "clean wait"), hence the spaced
 * arrow.
 */
public final class EventLine {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

    private EventLine() {}

    public static String format(JsonObject event) {
        StringBuilder sb = new StringBuilder();
        sb.append(time(event.getValue("time")));
        Object seq = event.getValue("seq");
        sb.append(" #").append(seq == null ? "?" : seq);
        String level = event.getString("level", "info").toUpperCase(java.util.Locale.ROOT);
        sb.append(' ').append(String.format("%-5s", level));
        String name = event.getString("node_name");
        String uuid = event.getString("node_uuid");
        sb.append(' ').append(name != null && !name.isEmpty() ? name : uuid != null ? uuid : "-");
        sb.append(' ').append(event.getString("event_type", "?"));
        Object p = event.getValue("payload");
        if (p instanceof JsonObject payload) {
            String provision =
                    transition(payload.getString("previous_provision_state"), payload.getString("provision_state"));
            if (provision != null) {
                sb.append(" provision ").append(provision);
                String target = payload.getString("target_provision_state");
                if (target != null && !target.equals(payload.getString("provision_state"))) {
                    sb.append(" (target ").append(target).append(')');
                }
            }
            String power = transition(payload.getString("previous_power_state"), payload.getString("power_state"));
            if (power != null) {
                sb.append("  ").append(power);
                String target = payload.getString("target_power_state");
                if (target != null && !target.equals(payload.getString("power_state"))) {
                    sb.append(" (target ").append(target).append(')');
                }
            }
            if (Boolean.TRUE.equals(payload.getValue("maintenance"))) {
                String reason = payload.getString("maintenance_reason");
                sb.append("  maintenance").append(reason == null || reason.isEmpty() ? "" : ": " + oneLine(reason));
            }
            String fault = payload.getString("fault");
            if (fault != null && !fault.isEmpty()) {
                sb.append("  fault ").append(fault);
            }
            String lastError = payload.getString("last_error");
            if (lastError != null && !lastError.isEmpty()) {
                sb.append("  last_error: ").append(oneLine(lastError));
            }
            String heartbeat = payload.getString("agent_last_heartbeat");
            if (heartbeat != null) {
                String version = payload.getString("agent_version");
                sb.append("  agent ")
                        .append(version == null ? "" : version + " ")
                        .append("heartbeat ")
                        .append(heartbeat);
            }
        }
        return sb.toString();
    }

    /** {@code previous -> now} when both are known and differ, else the current state alone (null when unknown). */
    static String transition(String previous, String now) {
        if (now == null) {
            return null;
        }
        return previous != null && !Objects.equals(previous, now) ? previous + " -> " + now : now;
    }

    /** The event's time in UTC to the millisecond; a value it cannot read is shown as it came. */
    static String time(Object value) {
        if (!(value instanceof String s)) {
            return String.valueOf(value);
        }
        try {
            return TIME.format(OffsetDateTime.parse(s).withOffsetSameInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return s;
        }
    }

    /** A multi-line message (a traceback in last_error) must not break the one-line-per-event promise. */
    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " | ");
    }
}
