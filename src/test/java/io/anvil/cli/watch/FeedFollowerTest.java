package io.anvil.cli.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** What {@code anvil watch} shows of a refusal: the faultstring inside Ironic's error body. */
class FeedFollowerTest {

    @Test
    void theFaultstringOfIronicsErrorBodyIsShown() {
        Buffer body = Buffer.buffer("{\"error_message\": \"{\\\"faultcode\\\": \\\"Client\\\", \\\"faultstring\\\":"
                + " \\\"Invalid event level 'loud'.\\\", \\\"debuginfo\\\": null}\"}");
        assertEquals("Invalid event level 'loud'.", FeedFollower.ironicMessage(body));
    }

    @Test
    void anyOtherBodyIsShownAsItCameAndNoBodyAsNothing() {
        assertEquals("Bad Gateway", FeedFollower.ironicMessage(Buffer.buffer("Bad Gateway\n")));
        assertEquals("plain", FeedFollower.ironicMessage(Buffer.buffer("{\"error_message\": \"plain\"}")));
        assertEquals("", FeedFollower.ironicMessage(null));
        assertEquals("", FeedFollower.ironicMessage(Buffer.buffer()));
    }
}
