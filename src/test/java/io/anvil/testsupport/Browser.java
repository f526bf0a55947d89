package io.anvil.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through its chromedriver (Selenium), for the dashboard's end-to-end tests and
 * bench. Skips the calling test where {@code chromium} or {@code chromedriver} is missing and fails it when
 * {@code CI=true} ({@link TestServices#requireTool}); .ci/run installs both.
 */
public final class Browser implements AutoCloseable {
    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** A fresh headless browser (its own profile: no session storage shared with another). */
    public static Browser start() {
        String chromium = TestServices.requireTool("chromium");
        String chromedriver = TestServices.requireTool("chromedriver");
        ChromeOptions options = new ChromeOptions()
                .setBinary(chromium)
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--window-size=1400,900",
                        "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File(chromedriver))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        return new Browser(driver);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Saves a PNG of the window to {@code file} (its directory created). */
    public Path screenshot(Path file) throws java.io.IOException {
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, png);
        return file;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
