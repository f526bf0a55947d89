package io.anvil.agent;

import io.anvil.driver.DeployInterface;
import io.anvil.driver.DriverFactory;
import io.anvil.errors.AnvilException;
import io.anvil.fsm.ProvisionState;
import io.vertx.core.Future;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's heartbeat handling (ramdisk.py HeartbeatController.post, manager.heartbeat, HeartbeatMixin.heartbeat),
 * re-shaped so intake scales (docs/architecture.md#invariants invariant 5, docs/agent.md): every check runs against the node as a batched read
 * found it — no lock, no worker, no transaction — liveness goes to the {@link LivenessCoalescer}, and only a heartbeat
 * that brings work is handed on (through {@link Continuations}) to the conductor's patient lock. A heartbeat on a
 * locked node is therefore simply accepted (202): nothing of it is dropped.
 */
public final class HeartbeatIntake {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatIntake.class);

    /** Ironic's agent_base.HEARTBEAT_ALLOWED (fast track is not offered). */
    static final Set<String> HEARTBEAT_ALLOWED = Set.of(
            ProvisionState.DEPLOYWAIT.value(),
            ProvisionState.CLEANWAIT.value(),
            ProvisionState.RESCUEWAIT.value(),
            ProvisionState.DEPLOYING.value(),
            ProvisionState.CLEANING.value(),
            ProvisionState.RESCUING.value(),
            ProvisionState.DEPLOYHOLD.value(),
            ProvisionState.CLEANHOLD.value(),
            ProvisionState.SERVICING.value(),
            ProvisionState.SERVICEWAIT.value(),
            ProvisionState.SERVICEHOLD.value());

    /**
     * States in which the conductor holds the node while it starts an agent command and then stores the wait state.
     * A heartbeat the agent forces when that command finishes can arrive before the wait state is stored (a short
     * step, a busy conductor); Ironic's heartbeat queues for the node's lock and then sees the wait state. So these
     * also go to a continuation, which takes the node patiently and re-checks its state under the lock; otherwise
     * the node would sit in its wait until the agent's next regular heartbeat (90-180 s with IPA's defaults).
     */
    static final Set<String> ABOUT_TO_WAIT = Set.of(
            ProvisionState.DEPLOYING.value(),
            ProvisionState.CLEANING.value(),
            ProvisionState.SERVICING.value(),
            ProvisionState.RESCUING.value());

    /** Ironic's AGENT_VALID_STATES (anaconda's one-way heartbeats). */
    static final Set<String> AGENT_VALID_STATES = Set.of("start", "end", "error");

    private final DriverFactory drivers;
    private final LivenessCoalescer liveness;
    private final Continuations continuations;
    private final AgentMetrics metrics;
    private final StoredTokens tokens;

    HeartbeatIntake(
            DriverFactory drivers,
            LivenessCoalescer liveness,
            Continuations continuations,
            AgentMetrics metrics,
            StoredTokens tokens) {
        this.tokens = tokens;
        this.drivers = drivers;
        this.liveness = liveness;
        this.continuations = continuations;
        this.metrics = metrics;
    }

    /** Validates {@code hb} against {@code node} (null: not found) and takes it in; a failed future says why. */
    Future<Void> accept(HeartbeatRequest hb, NodeSnapshot node) {
        try {
            take(hb, node);
            metrics.accepted.increment();
            return Future.succeededFuture();
        } catch (AnvilException e) {
            metrics.rejected.increment();
            return Future.failedFuture(e);
        }
    }

    private void take(HeartbeatRequest hb, NodeSnapshot node) {
        if (node == null) {
            throw AnvilException.notFound("Node " + hb.nodeIdent() + " could not be found.");
        }
        String url = hb.callbackUrl();
        if (!url.isEmpty() && !httpScheme(url)) {
            throw AnvilException.invalid("An issue with the supplied \"callback_url\" has been detected.");
        }
        if (node.agentUrl() != null && !node.agentUrl().equals(url)) {
            LOG.error(
                    "Received heartbeat for node {} with callback URL {}. This is not expected, and the heartbeat will"
                            + " not be processed.",
                    node.uuid(),
                    url);
            throw AnvilException.invalid("Detected change in ramdisk provided \"callback_url\"");
        }
        if (hb.agentToken() == null) {
            LOG.error("Agent heartbeat received for node {} without an agent token.", hb.nodeIdent());
            throw AnvilException.invalid("Agent token is required for heartbeat processing.");
        }
        if (hb.agentStatus() != null && !AGENT_VALID_STATES.contains(hb.agentStatus())) {
            throw AnvilException.invalid("Agent status is invalid. Valid states are start,end,error.");
        }
        if (hb.agentVersion() == null && hb.agentStatus() == null) {
            LOG.error(
                    "Node {} transmitted no version information which indicates the agent is incompatible with the"
                            + " ironic services and must be upgraded.",
                    node.uuid());
            throw AnvilException.invalid(
                    "Agent did not transmit a version, and a version is required. Please update the agent being used.");
        }
        if (!tokens.matches(node.uuid(), node.token(), hb.agentToken())) {
            LOG.error("Invalid or missing agent_token received for node {}", hb.nodeIdent());
            throw AnvilException.invalid("Invalid or missing agent token received.");
        }
        if (!HEARTBEAT_ALLOWED.contains(node.provisionState())) {
            LOG.error(
                    "Heartbeat from node {} in unsupported provision state {}, not taking any action.",
                    node.uuid(),
                    node.provisionState());
            return;
        }
        liveness.record(new LivenessCoalescer.Liveness(
                node.id(),
                node.token(),
                url,
                hb.agentVersion(),
                LivenessCoalescer.nowMicros(),
                hb.agentVerifyCa(),
                hb.agentStatus(),
                hb.agentStatusMessage()));
        if (node.maintenance()) {
            LOG.warn("Heartbeat from node {} in maintenance mode; not taking any action.", node.uuid());
            return;
        }
        DeployInterface deploy = drivers.deployImplementation(node.deployInterface());
        if (deploy != null
                && (deploy.continuesOnHeartbeat(node.provisionState())
                        || (deploy.usesAgent() && ABOUT_TO_WAIT.contains(node.provisionState())))) {
            continuations.request(node.uuid(), hb.report());
        }
    }

    /**
     * Ironic accepts any URL whose scheme contains "http" (urlparse is a format check, not a security guard). Checked
     * char by char, without a regex or a copy: every heartbeat passes here.
     */
    static boolean httpScheme(String url) {
        int colon = url.indexOf(':');
        if (colon <= 0 || !asciiLetter(url.charAt(0))) {
            return false;
        }
        boolean http = false;
        for (int i = 0; i < colon; i++) {
            char c = url.charAt(i);
            if (!asciiLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '.' && c != '-') {
                return false;
            }
            http |= url.regionMatches(true, i, "http", 0, 4) && i + 4 <= colon;
        }
        for (int i = 0; i < url.length(); i++) {
            if (Character.isWhitespace(url.charAt(i)) || Character.isISOControl(url.charAt(i))) {
                return false;
            }
        }
        return http;
    }

    private static boolean asciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
