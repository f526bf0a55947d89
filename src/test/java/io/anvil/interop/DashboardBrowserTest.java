package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.ApiCalls;
import io.anvil.testsupport.Browser;
import io.anvil.testsupport.TestCredentials;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in Debian's headless Chromium (docs/dashboard.md), against a conductor that asks for HTTP basic
 * credentials, with an admin and a reader in its htpasswd file: the login form, the fleet table, a change made
 * through the API showing up live from the feed, an agent's heartbeats moving the last-heartbeat cell and the node
 * page's field without a reload (the flush's baremetal.node.heartbeat events, every 0.2 s at most here), an action
 * button that changes a node, and a reader who sees no action button. Saves target/dashboard.png. Skipped where chromium or chromedriver is missing, failed when CI=true.
 */
class DashboardBrowserTest {
    private static final int NODES = 24;
    private static AnvilInstance anvil;
    private static ApiCalls admin;

    @BeforeAll
    static void start() throws Exception {
        io.anvil.testsupport.TestServices.requireTool("chromium");
        io.anvil.testsupport.TestServices.requireTool("chromedriver");
        Path dir = Files.createTempDirectory("anvil-dashboard");
        Path users = TestCredentials.htpasswd(dir, Map.of("admin", "admin-pass", "viewer", "view-pass"));
        anvil = AnvilInstance.start(Map.of(
                "api.auth_strategy",
                "http_basic",
                "api.http_basic_auth_user_file",
                users.toString(),
                "api.http_basic_roles",
                List.of("viewer=reader"),
                "agent.liveness_flush_interval",
                0.1,
                "agent.heartbeat_event_interval",
                0.2));
        admin = new ApiCalls(anvil.port(), TestCredentials.basic("admin", "admin-pass"));
        for (int i = 0; i < NODES; i++) {
            admin.expect(
                    201,
                    HttpMethod.POST,
                    "/v1/nodes",
                    new JsonObject().put("name", "node-" + i).put("driver", "fake-hardware"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (anvil != null) {
            anvil.close();
        }
    }

    private String url() {
        return anvil.endpoint() + "/";
    }

    private static WebDriverWait waiting(WebDriver d) {
        // an element re-rendered between finding and reading it is looked up again at the next poll
        WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(30), Duration.ofMillis(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    private static void logIn(WebDriver d, String user, String password) {
        WebElement name = waiting(d).until(x -> {
            WebElement e = x.findElement(By.id("login-user"));
            return e.isDisplayed() ? e : null;
        });
        name.sendKeys(user);
        d.findElement(By.id("login-password")).sendKeys(password);
        d.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        waiting(d)
                .until(x -> Boolean.TRUE.equals(((JavascriptExecutor) x)
                        .executeScript("return window.anvilDashboard && window.anvilDashboard.ready")));
    }

    /** The text of the table row of node {@code name}, once it is rendered ("" when it is not in view). */
    private static String row(WebDriver d, String name) {
        Object text = ((JavascriptExecutor) d)
                .executeScript(
                        "for (const r of document.querySelectorAll('#viewport .vrow:not([hidden])')) {"
                                + " if (r.querySelector('a').textContent === arguments[0]) return r.innerText; }"
                                + " return '';",
                        name);
        return text == null ? "" : text.toString();
    }

    @Test
    void anAdminWatchesTheFleetLiveAndActsOnANode() throws Exception {
        try (Browser browser = Browser.start()) {
            WebDriver d = browser.driver();
            d.get(url());
            logIn(d, "admin", "admin-pass");
            waiting(d).until(x -> row(x, "node-3").contains("enroll"));
            assertTrue(
                    d.findElement(By.id("shown")).getText().contains(NODES + " of " + NODES),
                    d.findElement(By.id("shown")).getText());
            assertTrue(d.findElement(By.id("counts")).getText().contains("enroll " + NODES));

            // a change through the API arrives from the feed (the page never polls)
            long before = System.nanoTime();
            admin.expect(
                    202,
                    HttpMethod.PUT,
                    "/v1/nodes/node-3/maintenance",
                    new JsonObject().put("reason", "from the test"));
            waiting(d).until(x -> row(x, "node-3").contains("maintenance"));
            long ms = (System.nanoTime() - before) / 1_000_000;
            System.out.println(
                    "dashboard: an API change showed in the browser after " + ms + " ms (PUT sent to row updated)");

            // filter by search
            d.findElement(By.id("search")).sendKeys("node-1");
            waiting(d).until(x -> x.findElement(By.id("shown")).getText().startsWith("11 of"));
            d.findElement(By.id("search")).clear();
            d.findElement(By.id("search")).sendKeys(" ");
            waiting(d).until(x -> x.findElement(By.id("shown")).getText().startsWith(NODES + " of"));
            browser.screenshot(Path.of("target", "dashboard.png"));

            // an action button on the node's page: manage (enroll -> manageable through the fake BMC)
            d.findElement(By.linkText("node-5")).click();
            WebElement manage = waiting(d).until(x -> {
                List<WebElement> b = x.findElements(By.cssSelector("#node-actions button[data-action=manage]"));
                return b.isEmpty() || !b.get(0).isEnabled() ? null : b.get(0);
            });
            assertFalse(
                    d.findElement(By.cssSelector("#node-actions button[data-action=deploy]"))
                            .isEnabled(),
                    "deploy is not offered to a node in enroll");
            manage.click();
            waiting(d).until(x -> "manageable"
                    .equals(x.findElement(By.cssSelector("#node-fields dd[data-field=provision_state]"))
                            .getText()));
            assertEquals(
                    "manageable",
                    admin.expect(200, HttpMethod.GET, "/v1/nodes/node-5", null).getString("provision_state"));
            waiting(d).until(x -> !x.findElements(By.cssSelector("#node-events li"))
                    .isEmpty());
            browser.screenshot(Path.of("target", "dashboard-node.png"));
        }
    }

    /** The last-heartbeat cell of node {@code name}'s row ("" when not in view or empty). */
    private static String heartbeatCell(WebDriver d, String name) {
        Object text = ((JavascriptExecutor) d)
                .executeScript(
                        "for (const r of document.querySelectorAll('#viewport .vrow:not([hidden])')) {"
                                + " if (r.querySelector('a').textContent === arguments[0])"
                                + " return r.querySelectorAll('[role=cell]')[7].textContent; }"
                                + " return '';",
                        name);
        return text == null ? "" : text.toString();
    }

    /**
     * The agent heartbeats (every 0.1 s) until {@code shown} reads a heartbeat time newer than {@code before}; returns
     * it, checked against what the API stores.
     */
    private static String heartbeatUntilNewer(
            WebDriver d,
            String uuid,
            String token,
            String before,
            java.util.function.Function<WebDriver, String> shown) {
        JsonObject hb = new JsonObject()
                .put("callback_url", "http://10.0.0.9:9999")
                .put("agent_token", token)
                .put("agent_version", "9.9.9");
        WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(30), Duration.ofMillis(100));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        String now = wait.until(x -> {
            admin.expect(202, HttpMethod.POST, "/v1/heartbeat/" + uuid, hb);
            String text = shown.apply(x);
            return text.matches("\\d{4}-.*") && text.compareTo(before) > 0 ? text : null;
        });
        String stored = admin.expect(200, HttpMethod.GET, "/v1/nodes/" + uuid, null)
                .getJsonObject("driver_internal_info")
                .getString("agent_last_heartbeat");
        assertTrue(now.compareTo(stored) <= 0, "shown " + now + ", stored " + stored);
        return now;
    }

    @Test
    void theLastHeartbeatFollowsTheAgentWithoutAReload() throws Exception {
        String uuid = admin.expect(
                        201,
                        HttpMethod.POST,
                        "/v1/nodes",
                        new JsonObject().put("name", "agent-node").put("driver", "fake-hardware"))
                .getString("uuid");
        DatabaseUrl db = anvil.database();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                PreparedStatement s = c.prepareStatement(
                        "UPDATE nodes SET provision_state = 'wait call-back' WHERE uuid = ?::uuid")) {
            s.setString(1, uuid);
            assertEquals(1, s.executeUpdate());
        }
        String token = admin.expect(200, HttpMethod.GET, "/v1/lookup?node_uuid=" + uuid, null)
                .getJsonObject("config")
                .getString("agent_token");
        try (Browser browser = Browser.start()) {
            WebDriver d = browser.driver();
            d.get(url());
            logIn(d, "admin", "admin-pass");
            d.findElement(By.id("search")).sendKeys("agent-node");
            waiting(d).until(x -> row(x, "agent-node").contains("agent-node"));
            assertEquals("", heartbeatCell(d, "agent-node"), "no heartbeat yet");
            // a reload would start a new window object without this mark
            ((JavascriptExecutor) d).executeScript("window.loadedOnce = true");

            String first = heartbeatUntilNewer(d, uuid, token, "", x -> heartbeatCell(x, "agent-node"));
            String second = heartbeatUntilNewer(d, uuid, token, first, x -> heartbeatCell(x, "agent-node"));
            System.out.println("dashboard: last heartbeat cell went " + first + " -> " + second);

            d.findElement(By.linkText("agent-node")).click();
            java.util.function.Function<WebDriver, String> field =
                    x -> x.findElement(By.cssSelector("#node-fields dd[data-field=agent_last_heartbeat]"))
                            .getText();
            waiting(d).until(x -> field.apply(x).matches("\\d{4}-.*"));
            String onPage = field.apply(d);
            heartbeatUntilNewer(d, uuid, token, onPage, field);
            assertEquals(
                    "9.9.9",
                    d.findElement(By.cssSelector("#node-fields dd[data-field=agent_version]"))
                            .getText());
            assertEquals(
                    Boolean.TRUE,
                    ((JavascriptExecutor) d).executeScript("return window.loadedOnce === true"),
                    "the page was never reloaded");
        }
    }

    @Test
    void aReaderSeesNoActionButton() {
        try (Browser browser = Browser.start()) {
            WebDriver d = browser.driver();
            d.get(url());
            logIn(d, "viewer", "view-pass");
            waiting(d).until(x -> row(x, "node-7").contains("node-7"));
            assertTrue(d.findElement(By.id("who")).getText().contains("reader"));
            d.findElement(By.linkText("node-7")).click();
            waiting(d)
                    .until(x -> x.findElement(By.id("node-title")).getText().equals("node-7")
                            && !x.findElements(By.cssSelector("#node-fields dd"))
                                    .isEmpty());
            assertEquals(List.of(), d.findElements(By.cssSelector("#node-actions button")));
        }
    }

    @Test
    void wrongCredentialsKeepTheLoginForm() {
        try (Browser browser = Browser.start()) {
            WebDriver d = browser.driver();
            d.get(url());
            WebElement name = waiting(d).until(x -> {
                WebElement e = x.findElement(By.id("login-user"));
                return e.isDisplayed() ? e : null;
            });
            name.sendKeys("admin");
            d.findElement(By.id("login-password")).sendKeys("wrong");
            d.findElement(By.cssSelector("#login-form button[type=submit]")).click();
            waiting(d).until(x -> x.findElement(By.id("login-error")).getText().contains("Wrong credentials"));
        }
    }
}
