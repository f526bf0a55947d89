package io.anvil.logging;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.MDC;

/**
 * The request id and node of the work running now, for log lines (docs/operations.md#logs).
 *
 * <p>Vert.x runs each HTTP request on its own duplicated context, and every callback of that request's futures runs
 * on it, on whichever thread. Keeping the fields in that context's local data (not in the thread-local MDC) makes them
 * follow the request through its asynchronous steps and never leak to another request served by the same event loop.
 * Outside a request (periodic tasks, start-up) nothing is set. The layouts also print MDC entries, so code that uses MDC
 * directly is logged too.
 */
public final class LogContext {
    /** Log field: this request's id, {@code req-<uuid>}, also in the X-OpenStack-Request-Id response header. */
    public static final String REQUEST_ID = "request_id";
    /** Log field: a caller's own {@code req-<uuid>} from its X-OpenStack-Request-Id header (oslo's global id). */
    public static final String GLOBAL_REQUEST_ID = "global_request_id";
    /** Log field: the node the request or its task works on (a UUID, or the name the client used). */
    public static final String NODE = "node_uuid";

    private static final String PREFIX = "anvil.log.";
    private static final String[] KEYS = {REQUEST_ID, GLOBAL_REQUEST_ID, NODE};

    private LogContext() {}

    /** A fresh request id as Ironic's request-id middleware makes them: {@code req-} and a random (v4) UUID. */
    public static String newRequestId() {
        // ThreadLocalRandom: unique enough for correlation and cheaper than SecureRandom on every request
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return "req-" + new UUID(msb, lsb);
    }

    /** Whether {@code id} has the {@code req-<uuid>} form oslo.middleware accepts as a global request id. */
    public static boolean isRequestId(String id) {
        if (id == null || id.length() != 40 || !id.startsWith("req-")) {
            return false;
        }
        for (int i = 4; i < 40; i++) {
            char c = id.charAt(i);
            boolean dash = i == 12 || i == 17 || i == 22 || i == 27;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sets {@code key} for the current request; a no-op outside a duplicated context (an event loop's shared context
     * serves many requests, so a value there would leak to them).
     */
    public static void put(String key, String value) {
        Context c = Vertx.currentContext();
        if (c instanceof ContextInternal ci && ci.isDuplicate() && value != null) {
            ci.putLocal(PREFIX + key, value);
        }
    }

    /** Sets the node of the current request; a no-op outside a request (see {@link #put}). */
    public static void node(String node) {
        if (get(REQUEST_ID) != null) {
            put(NODE, node);
        }
    }

    /** The value of {@code key} for the work running now, from the context or else the MDC; null if none. */
    public static String get(String key) {
        Context c = Vertx.currentContext();
        if (c instanceof ContextInternal ci && ci.isDuplicate()) {
            Object v = ci.getLocal(PREFIX + key);
            if (v != null) {
                return v.toString();
            }
        }
        return MDC.get(key);
    }

    /** Adds this request's fields (request id, global request id, node) to {@code into}; nothing outside a request. */
    public static void fields(Map<String, String> into) {
        Context c = Vertx.currentContext();
        if (c instanceof ContextInternal ci && ci.isDuplicate()) {
            for (String key : KEYS) {
                Object v = ci.getLocal(PREFIX + key);
                if (v != null) {
                    into.put(key, v.toString());
                }
            }
        }
    }
}
