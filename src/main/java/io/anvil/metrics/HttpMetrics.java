package io.anvil.metrics;

/** HTTP requests served by the API, by route template, method and status. */
public interface HttpMetrics {

    /**
     * The meters of one route, made once when the route is mounted: {@code template} is the route as mounted
     * ({@code /v1/nodes/:node}), never a concrete path, so the series stay few.
     */
    Route route(String method, String template);

    /** Pre-registered meters of one route; {@link #record} is called once per response. */
    interface Route {
        void record(int status, long nanos);
    }
}
