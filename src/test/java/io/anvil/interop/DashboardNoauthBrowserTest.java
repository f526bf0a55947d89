package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.ApiCalls;
import io.anvil.testsupport.Browser;
import io.anvil.testsupport.TestServices;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard against an Anvil without authentication (the default): no login form, the fleet at once, the caller
 * an admin with the action buttons, and a node created after the page loaded appearing from the feed. Skipped where
 * chromium or chromedriver is missing, failed when CI=true.
 */
class DashboardNoauthBrowserTest {
    @Test
    void withoutAuthenticationThePageShowsTheFleetAtOnce() throws Exception {
        TestServices.requireTool("chromium");
        TestServices.requireTool("chromedriver");
        try (AnvilInstance anvil = AnvilInstance.start(Map.of());
                ApiCalls api = new ApiCalls(anvil.port(), null);
                Browser browser = Browser.start()) {
            api.expect(
                    201,
                    HttpMethod.POST,
                    "/v1/nodes",
                    new JsonObject().put("name", "first").put("driver", "fake-hardware"));
            WebDriver d = browser.driver();
            d.get(anvil.endpoint() + "/");
            WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(30), Duration.ofMillis(20));
            wait.until(x -> Boolean.TRUE.equals(((JavascriptExecutor) x)
                    .executeScript("return window.anvilDashboard && window.anvilDashboard.ready")));
            assertFalse(d.findElement(By.id("login")).isDisplayed(), "no login form without authentication");
            assertFalse(d.findElement(By.id("logout")).isDisplayed());
            assertTrue(d.findElement(By.id("who")).getText().contains("admin"));
            wait.until(x -> !x.findElements(By.linkText("first")).isEmpty());

            // a node enrolled after the load arrives from the feed (create.end)
            api.expect(
                    201,
                    HttpMethod.POST,
                    "/v1/nodes",
                    new JsonObject().put("name", "second").put("driver", "fake-hardware"));
            wait.until(x -> !x.findElements(By.linkText("second")).isEmpty());
            wait.until(x -> x.findElement(By.id("shown")).getText().startsWith("2 of 2"));

            d.findElement(By.linkText("second")).click();
            wait.until(x -> !x.findElements(By.cssSelector("#node-actions button[data-action=manage]"))
                    .isEmpty());
        }
    }
}
