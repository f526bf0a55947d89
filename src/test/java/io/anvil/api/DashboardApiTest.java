package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's serving (docs/dashboard.md): {@code /} answers a browser with the page and every other client (the
 * {@code baremetal} CLI's keystoneauth sends {@code application/json}, curl {@code *}{@code /*}) with Ironic's root
 * document; the static files carry their caching headers; {@code /v1/auth/whoami} without authentication.
 */
class DashboardApiTest extends ApiTestBase {
    private static final String CHROME_ACCEPT =
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

    @Test
    void aBrowserGetsThePageAndEveryOtherClientIronicsRootDocument() {
        Resp page = get("/").header("Accept", CHROME_ACCEPT).expect(200);
        assertTrue(page.header("Content-Type").startsWith("text/html"), page.header("Content-Type"));
        assertTrue(page.body().toString().contains("/dashboard/app.js"));
        assertEquals("Accept", page.header("Vary"));
        assertTrue(page.header("Content-Security-Policy").contains("default-src 'self'"));
        for (String accept : new String[] {null, "application/json", "*/*", "application/json, text/html;q=0.5"}) {
            Req req = get("/");
            if (accept != null) {
                req.header("Accept", accept);
            }
            Resp r = req.expect(200);
            assertTrue(
                    r.header("Content-Type").startsWith("application/json"), accept + ": " + r.header("Content-Type"));
            assertEquals("OpenStack Ironic API", r.json().getString("name"), String.valueOf(accept));
        }
        // the version headers stay on the page too: the same negotiation runs first
        assertEquals("1.78", page.header("X-OpenStack-Ironic-API-Maximum-Version"));
    }

    @Test
    void staticFilesAreServedWithAnETagAndRevalidated() {
        for (String file : DashboardApi.FILES) {
            Resp r = get("/dashboard/" + file).expect(200);
            assertNotNull(r.header("ETag"), file);
            assertEquals("no-cache", r.header("Cache-Control"), file);
            assertEquals("nosniff", r.header("X-Content-Type-Options"), file);
            assertTrue(r.body().length() > 0, file);
        }
        Resp js = get("/dashboard/app.js").expect(200);
        assertTrue(js.header("Content-Type").startsWith("text/javascript"));
        Resp again = get("/dashboard/app.js")
                .header("If-None-Match", js.header("ETag"))
                .send();
        assertEquals(304, again.status());
        assertEquals(0, again.body().length());
        assertError(get("/dashboard/nothing.js").send(), 404, "could not be found");
        assertError(get("/dashboard/..%2Fpom.xml").send(), 404, "could not be found");
    }

    @Test
    void whoAmIWithoutAuthenticationIsAnAdmin() {
        JsonObject who = get("/v1/auth/whoami").expect(200).json();
        assertEquals("admin", who.getString("role"));
        assertEquals("noauth", who.getString("auth_strategy"));
    }

    @Test
    void acceptHeadersThatPreferHtml() {
        assertTrue(DashboardApi.wantsHtml(CHROME_ACCEPT));
        assertTrue(DashboardApi.wantsHtml("text/html"));
        assertFalse(DashboardApi.wantsHtml(null));
        assertFalse(DashboardApi.wantsHtml("*/*"));
        assertFalse(DashboardApi.wantsHtml("application/json"));
        assertFalse(DashboardApi.wantsHtml("application/json, text/html"));
        assertTrue(DashboardApi.wantsHtml("application/json;q=0.5, text/html"));
        assertFalse(DashboardApi.wantsHtml("text/html;q=0"));
    }
}
