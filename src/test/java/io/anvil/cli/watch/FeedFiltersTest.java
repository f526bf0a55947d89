package io.anvil.cli.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code anvil watch}'s options → the query of GET /v1/events (docs/events.md). */
class FeedFiltersTest {

    @Test
    void noFiltersAndNoSinceIsTheBareLiveFeed() {
        assertEquals("/v1/events", FeedFilters.NONE.uri("", null));
        assertEquals("/v1/events", new FeedFilters(null, null, null, null, null).uri(null, null));
    }

    @Test
    void everyFilterBecomesItsParameterWithListsCommaJoined() {
        FeedFilters f = new FeedFilters(
                List.of("n1", "6d0b7c31-0bd4-4b1f-9d53-0c1b2c9a6e2f"),
                List.of("baremetal.node.power_*", "*.error"),
                List.of("warning", "error"),
                "rack-7",
                "proj-a");
        assertEquals(
                "/v1/events?node=n1,6d0b7c31-0bd4-4b1f-9d53-0c1b2c9a6e2f&type=baremetal.node.power_*,*.error"
                        + "&level=warning,error&conductor_group=rack-7&owner=proj-a&since=1234",
                f.uri("", 1234L));
    }

    @Test
    void repeatedAndCommaSeparatedOptionsMeanTheSameAndBlanksAreDropped() {
        FeedFilters repeated = new FeedFilters(List.of("a", "b"), List.of(), List.of(), null, null);
        FeedFilters commas = new FeedFilters(List.of("a, b", " "), Arrays.asList((String) null), List.of(), " ", "");
        assertEquals(repeated, commas);
        assertEquals("/v1/events?node=a,b", commas.uri("", null));
    }

    @Test
    void sinceZeroReplaysEverythingStored() {
        assertEquals("/v1/events?since=0", FeedFilters.NONE.uri("", 0L));
    }

    @Test
    void valuesAreEncodedAndAPathPrefixIsKept() {
        FeedFilters f = new FeedFilters(List.of("rack 1/n&1"), List.of(), List.of(), "g=1", null);
        assertEquals("/baremetal/v1/events?node=rack+1%2Fn%261&conductor_group=g%3D1", f.uri("/baremetal/", null));
    }
}
