package io.anvil.conductor;

import io.anvil.conductor.steps.StepSettings;
import io.anvil.errors.AnvilException;
import io.anvil.fsm.ApiVerb;
import io.anvil.store.Database;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;

/**
 * Ironic's _concurrent_action_limit (ironic/conductor/manager.py): at most {@code conductor.max_concurrent_deploy}
 * nodes deploying ("deploying" + "wait call-back") and {@code conductor.max_concurrent_clean} cleaning ("deleting" +
 * "cleaning" + "clean wait") across all conductors; one more gets 503 ConcurrentActionLimit before anything changes.
 * Like Ironic's, the count is read, not reserved: two requests racing for the last slot may both pass.
 */
final class ConcurrentActions {
    private static final String COUNT = "SELECT count(*) FROM nodes WHERE provision_state = ANY($1)";
    private static final String[] DEPLOYING = {"deploying", "wait call-back"};
    private static final String[] CLEANING = {"deleting", "cleaning", "clean wait"};

    private final Database database;
    private final StepSettings settings;

    ConcurrentActions(Database database, StepSettings settings) {
        this.database = database;
        this.settings = settings;
    }

    /** Fails with 503 when {@code verb} would start one deploy or cleaning too many. */
    Future<Void> check(ApiVerb verb) {
        return switch (verb) {
            case ACTIVE, DEPLOY, REBUILD -> limit(DEPLOYING, settings.maxConcurrentDeploy(), "provisioning");
            case PROVIDE, CLEAN, DELETED, UNDEPLOY -> limit(CLEANING, settings.maxConcurrentClean(), "cleaning");
            default -> Future.succeededFuture();
        };
    }

    private Future<Void> limit(String[] states, int max, String action) {
        return database.reads().preparedQuery(COUNT).execute(Tuple.of(states)).compose(rows -> {
            long current = rows.iterator().next().getLong(0);
            if (current < max) {
                return Future.succeededFuture();
            }
            return Future.failedFuture(
                    new ConcurrentActionLimit("Unable to start " + action + " because the maximum number of concurrent "
                            + action + " operations (" + max + ") has been reached. Please try again later."));
        });
    }

    /** 503: Ironic's ConcurrentActionLimit. */
    static final class ConcurrentActionLimit extends AnvilException {
        ConcurrentActionLimit(String message) {
            super(503, message);
        }
    }
}
