package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web UI in a real headless Chromium, the way an on-call engineer uses it at 2 am: log in,
 * see the failed run, open it, read the playbook steps, apply a recovery plan, watch it go green.
 * Then what must be refused: a viewer applying a plan, and a forged cross-site POST.
 */
class WebUiIT {
    private static final Duration LONG = Duration.ofSeconds(90);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path tmp;

    private static String day(int daysAgo) {
        return LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo).toString();
    }

    private Path pipeline(String id, String yaml, String playbook) throws IOException {
        Path dir = tmp.resolve("src").resolve(id);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pipeline.yaml"), yaml);
        Files.writeString(dir.resolve("PLAYBOOK.md"), playbook);
        return dir;
    }

    private static WebDriver browser() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(present, "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver; .ci/run does)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        return new ChromeDriver(service, options);
    }

    private static void screenshot(WebDriver driver, String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void anOnCallEngineerSeesTheFailureReadsThePlaybookAppliesAPlanAndSeesItGoGreen() throws Exception {
        Path marks = Files.createDirectories(tmp.resolve("marks"));
        Path orders = pipeline("orders", """
                id: orders
                schedule: "@daily"
                start_date: %s
                catchup: true
                tasks:
                  - {id: extract, run: 'echo extracting'}
                  - {id: load, needs: [extract], run: 'test -f "$MARKS/exported" || { echo "orders not exported for $SLUICE_LOGICAL_DATE" >&2; exit 1; }'}
                  - {id: publish, needs: [load], run: 'echo published'}
                tests:
                  - {name: waits_for_the_export, expect: {state: failed, playbook: Orders not exported yet}}
                """.formatted(day(1)), ServerIT.PLAYBOOK.replace("## A task failed", """
                ## Orders not exported yet
                match: task=load kind=failed log=/orders not exported/

                ### Diagnose
                1. The load log names the missing day.

                ### Fix
                1. Wait for the export, then apply a recovery plan.

                ## A task failed"""));
        Path report = pipeline("report", """
                id: report
                schedule: "@daily"
                start_date: %s
                catchup: true
                depends_on: [{pipeline: orders}]
                tasks: [{id: render, run: 'echo report'}]
                tests: [{name: renders, expect: {state: succeeded}}]
                """.formatted(day(1)), ServerIT.PLAYBOOK);
        try (SluiceServerProcess server = SluiceServerProcess.start(tmp.resolve("home"), Map.of("MARKS", marks.toString()))) {
            CliRunner sluice = new CliRunner(server.home);
            CliRunner.Result deployed = sluice.run("deploy", orders.toString(), report.toString());
            assertThat(deployed.exit()).as(deployed.out() + deployed.err()).isZero();
            await().atMost(LONG).until(() -> sluice.run("status", "orders", "--json").out().contains("\"failed\""));
            String viewerToken = sluice.run("token", "create", "night_viewer", "--role", "viewer").out().trim();

            WebDriver driver = browser();
            try {
                driver.get(server.url() + "/");
                assertThat(driver.getCurrentUrl()).contains("/login");
                driver.findElement(By.id("token")).sendKeys(server.adminToken());
                driver.findElement(By.id("login")).click();
                await().atMost(LONG).until(() -> driver.getTitle().startsWith("Pipelines"));

                WebElement failed = driver.findElement(By.cssSelector("a.sq.failed"));
                screenshot(driver, "pipelines");
                failed.click();
                await().atMost(LONG).until(() -> driver.getTitle().startsWith("Run "));
                assertThat(text(driver, By.cssSelector(".failure .entry"))).isEqualTo("Orders not exported yet");
                assertThat(text(driver, By.cssSelector(".failure .diagnose"))).contains("The load log names the missing day");
                assertThat(text(driver, By.cssSelector(".failure .fix"))).contains("apply a recovery plan");
                String runUrl = driver.getCurrentUrl();
                screenshot(driver, "run");

                Files.writeString(marks.resolve("exported"), "");
                driver.findElement(By.linkText("Recovery")).click();
                driver.findElement(By.xpath("//button[text()='Make a recovery plan']")).click();
                await().atMost(LONG).until(() -> driver.getTitle().startsWith("Plan "));
                assertThat(text(driver, By.id("steps"))).contains("orders").contains("clear");
                screenshot(driver, "plan");
                driver.findElement(By.id("confirm")).click();
                driver.findElement(By.xpath("//button[text()='Apply this plan']")).click();
                await().atMost(LONG).ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
                        .until(() -> text(driver, By.cssSelector(".flash")).startsWith("Applied"));
                // the page updates itself: no reload (an element may be replaced between finding and reading it)
                await().atMost(LONG).ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
                        .until(() -> text(driver, By.id("progress")).contains("1 succeeded"));
                screenshot(driver, "plan-applied");

                driver.get(runUrl);
                assertThat(text(driver, By.cssSelector("h1 .st"))).isEqualTo("succeeded");
                await().atMost(LONG).until(() -> sluice.run("status", "report", "--json").out().contains("\"succeeded\""));
                driver.get(server.url() + "/pipelines/orders");
                assertThat(text(driver, By.cssSelector("svg[aria-label='task graph']"))).contains("extract").contains("publish");
                screenshot(driver, "pipeline");
                driver.get(server.url() + "/audit");
                assertThat(text(driver, By.tagName("table"))).contains("apply").contains("clear");
                screenshot(driver, "audit");
                driver.manage().window().setSize(new Dimension(390, 844));
                driver.get(server.url() + "/");
                screenshot(driver, "pipelines-phone");
            } finally {
                driver.quit();
            }

            // a viewer sees no apply button, and is refused when it posts anyway
            HttpClient viewer = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            login(viewer, server, viewerToken);
            String planPage = get(viewer, server, "/recovery").body();
            assertThat(planPage).doesNotContain("Make a recovery plan");
            HttpResponse<String> refused = post(viewer, server, "/recovery/plans", "_csrf=" + csrf(planPage), server.url());
            assertThat(refused.statusCode()).isEqualTo(403);

            // an operator's session, used by a page on another site: no CSRF token, another origin
            HttpClient admin = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            login(admin, server, server.adminToken());
            String token = csrf(get(admin, server, "/recovery").body());
            assertThat(post(admin, server, "/recovery/plans", "include_downstream=true", "http://evil.example").statusCode()).isEqualTo(403);
            assertThat(post(admin, server, "/recovery/plans", "_csrf=" + token, "http://evil.example").statusCode()).isEqualTo(403);
            assertThat(post(admin, server, "/recovery/plans", "_csrf=wrong", server.url()).statusCode()).isEqualTo(403);
            assertThat(post(admin, server, "/recovery/plans", "_csrf=" + token, server.url()).statusCode()).as("the real page's form").isEqualTo(302);
            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + "/recovery/plans"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("_csrf=x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            List<String> actions = new java.util.ArrayList<>();
            sluice.run("audit", "--json").json().get("entries").forEach(e -> actions.add(e.get("action").asString()));
            assertThat(actions.stream().filter("plan"::equals)).as("only the browser's plan and the real form's plan were made").hasSize(2);
        }
    }

    private static void login(HttpClient client, SluiceServerProcess server, String token) throws Exception {
        HttpResponse<String> r = post(client, server, "/login", "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8), server.url());
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Set-Cookie").orElse("")).contains("HttpOnly").contains("SameSite=Strict");
    }

    private static HttpResponse<String> get(HttpClient client, SluiceServerProcess server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient client, SluiceServerProcess server, String path, String form, String origin)
            throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", origin).POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String csrf(String page) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([0-9a-f]+)\"").matcher(page);
        assertThat(m.find()).as("a CSRF token on the page").isTrue();
        return m.group(1);
    }

    /** An element's text; the live pages replace elements as they update, so a replaced one is looked up again. */
    private static String text(org.openqa.selenium.WebDriver driver, By by) {
        return await().atMost(LONG).ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
                .until(() -> driver.findElement(by).getText(), t -> true);
    }
}
