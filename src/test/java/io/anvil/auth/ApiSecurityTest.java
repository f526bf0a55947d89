package io.anvil.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.config.AnvilConfig;
import io.anvil.config.AnvilConfig.ConfigException;
import io.anvil.events.FeedEvent;
import io.anvil.events.FeedFilter;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Safe defaults: noauth binds loopback only, and a public address without authentication needs saying so. */
class ApiSecurityTest {
    @Test
    void noauthIsTheDefaultAndListensOnLoopbackOnly() {
        ApiSecurity s = ApiSecurity.from(AnvilConfig.of(Map.of()));
        assertEquals(ApiSecurity.Strategy.NOAUTH, s.strategy());
        assertEquals("127.0.0.1", s.host());
        assertTrue(s.metricsOpen());
        assertFalse(s.tls());
    }

    @Test
    void noauthOnAPublicAddressIsRefusedUnlessAllowed() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> ApiSecurity.from(AnvilConfig.of(Map.of("api.host", "0.0.0.0"))));
        assertTrue(e.getMessage().contains("api.allow_noauth_on_public_address"), e.getMessage());
        ApiSecurity allowed = ApiSecurity.from(
                AnvilConfig.of(Map.of("api.host", "0.0.0.0", "api.allow_noauth_on_public_address", true)));
        assertEquals("0.0.0.0", allowed.host());
        assertEquals(
                "::1",
                ApiSecurity.from(AnvilConfig.of(Map.of("api.host", "::1"))).host());
    }

    @Test
    void withAuthenticationTheDefaultAddressIsEveryInterfaceAndMetricsNeedAnAdmin() {
        ApiSecurity s = ApiSecurity.from(AnvilConfig.of(
                Map.of("api.auth_strategy", "http_basic", "api.http_basic_auth_user_file", "/etc/anvil/htpasswd")));
        assertEquals("0.0.0.0", s.host());
        assertFalse(s.metricsOpen());
        assertThrows(
                ConfigException.class,
                () -> ApiSecurity.from(AnvilConfig.of(Map.of("api.auth_strategy", "http_basic"))));
        assertThrows(ConfigException.class, () -> ApiSecurity.from(AnvilConfig.of(Map.of("api.auth_strategy", "jwt"))));
        assertThrows(
                ConfigException.class, () -> ApiSecurity.from(AnvilConfig.of(Map.of("api.auth_strategy", "keystone"))));
        assertThrows(
                ConfigException.class, () -> ApiSecurity.from(AnvilConfig.of(Map.of("api.tls_cert_file", "/x.crt"))));
    }

    @Test
    void aProjectsFeedCarriesOnlyItsNodesEvents() {
        FeedFilter everything = FeedFilter.of(List.of(), List.of(), List.of(), null, null);
        FeedFilter mine = everything.restrictedTo("p1");
        FeedEvent owned = event(new JsonObject().put("owner", "p1"));
        FeedEvent leased = event(new JsonObject().put("owner", "p2").put("lessee", "p1"));
        FeedEvent other = event(new JsonObject().put("owner", "p2"));
        assertTrue(mine.matches(owned));
        assertTrue(mine.matches(leased));
        assertFalse(mine.matches(other));
        assertTrue(everything.matches(other));
        assertTrue(everything.restrictedTo(null).matches(other));
    }

    private static FeedEvent event(JsonObject payload) {
        return new FeedEvent(
                1, "baremetal.node.update.end", "info", "5b3a9c1e-0000-4000-8000-000000000001", "c1", null, payload);
    }
}
