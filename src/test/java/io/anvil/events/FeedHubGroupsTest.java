package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.anvil.config.AnvilConfig;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * FeedHub groups subscribers by event loop: Vert.x serves every HTTP request (so every WebSocket or SSE subscriber)
 * on a duplicated context of its connection's loop, and all of them must share that loop's one group — else each
 * batch costs one task and one keep-alive timer per subscriber instead of one per loop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeedHubGroupsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private Vertx vertx;

    @BeforeAll
    void vertx() {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    }

    @AfterAll
    void close() {
        Conditions.result(vertx.close(), WAIT);
    }

    @Test
    void requestsOnOneEventLoopShareItsGroupAndOtherLoopsGetTheirOwn() {
        FeedHub hub = new FeedHub(vertx, FeedSettings.from(AnvilConfig.of(Map.of())));
        hub.attach(vertx.getOrCreateContext());
        ContextInternal loopA = (ContextInternal) vertx.getOrCreateContext();
        ContextInternal loopB = (ContextInternal) vertx.getOrCreateContext();

        SubscriberGroup first = Conditions.result(hub.group(loopA.duplicate()), WAIT);
        SubscriberGroup second = Conditions.result(hub.group(loopA.duplicate()), WAIT);
        SubscriberGroup root = Conditions.result(hub.group(loopA), WAIT);
        SubscriberGroup other = Conditions.result(hub.group(loopB.duplicate()), WAIT);

        assertSame(first, second, "two requests on one loop");
        assertSame(first, root, "a request and its loop");
        assertNotSame(first, other, "another context");
        Context groupContext = first.context();
        assertSame(loopA, groupContext, "the group runs on the loop's own context");
    }
}
