package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.FinishReason;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser: Debian's headless Chromium driven through chromedriver. Sends a
 * chat message and watches its answer stream in (markdown, a highlighted code block with a copy
 * button, and markup from the model that must stay text), stops a long answer, runs an infill,
 * and keeps screenshots under {@code target/webui/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiTest {
    /** What the fake model answers after " #sum": markdown with code, and markup that must not become HTML. */
    static final String TAIL = " Here is the code:\n```python\ndef add(a, b):\n    return a + b  # sum\n```\n"
            + "And <script>window.pwned = 1</script> <img src=x onerror=\"window.pwned = 2\"> **done**\n";
    static final Path SHOTS = Path.of("target", "webui");

    static FakeBatchBackend model;
    static TestServer server;
    static WebDriver browser;
    static Path profile;

    @BeforeAll
    static void start() throws Exception {
        // 4 ms per token, answers of 60 tails: long enough to stop one midway
        model = new FakeBatchBackend(16384, 4000, 0, 60, TAIL);
        server = TestServer.withFake(model, 2, 8, ServerOptions.defaults());
        for (String exe : new String[] {"/usr/bin/chromium", "/usr/bin/chromedriver"}) {
            assertTrue(new File(exe).canExecute(), exe + " is missing: run scripts/setup.sh (Debian packages chromium, chromium-driver)");
        }
        profile = Files.createTempDirectory("codellm-webui-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,900");
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(driver, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) browser.quit();
        if (server != null) server.close();
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static WebDriverWait waiting(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    static void setValue(String id, String value) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    static void screenshot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    @Order(1)
    void aChatAnswerStreamsInAndTheModelsMarkupStaysText() throws Exception {
        browser.get(server.base + "/");
        waiting(10).until(d -> d.findElement(By.id("model-name")).getText().contains("fake-model"));
        String question = "Write add()";
        int[] prompt = model.chatPrompt(List.of(ChatMessage.user(question)));
        String answer = FakeBatchBackend.answer(prompt, 1, TAIL);
        setValue("max-tokens", Integer.toString(answer.length())); // exactly one tail (ASCII: a token per byte)
        setValue("message", question);
        browser.findElement(By.id("send")).click();

        WebElement reply = waiting(10).until(d -> d.findElement(By.cssSelector("#messages .msg.assistant")));
        // streamed: part of the answer is on screen while the stop button is still live
        waiting(10).until(d -> reply.getText().length() > 5 && d.findElement(By.id("stop")).isEnabled());
        waiting(30).until(d -> Boolean.TRUE.equals(js("return window.codellmStats.done")));

        String text = reply.getText();
        assertTrue(text.contains("<script>window.pwned = 1</script>"), text);
        assertTrue(text.contains("<img src=x onerror=\"window.pwned = 2\">"), text);
        assertTrue(browser.findElements(By.cssSelector("#messages script, #messages img")).isEmpty(), "model markup became elements");
        assertEquals(Boolean.TRUE, js("return window.pwned === undefined"), "model markup ran");
        assertEquals("done", reply.findElement(By.cssSelector("strong")).getText(), "markdown rendered");
        WebElement code = reply.findElement(By.cssSelector(".codeblock pre code"));
        assertEquals("def add(a, b):\n    return a + b  # sum", js("return document.querySelector('.codeblock pre code').textContent"));
        assertEquals("def", code.findElement(By.cssSelector(".tok-k")).getText(), "code highlighted");
        assertEquals("# sum", code.findElement(By.cssSelector(".tok-c")).getText());
        WebElement copy = reply.findElement(By.cssSelector(".codeblock button.copy"));
        copy.click();
        waiting(5).until(d -> copy.getText().equals("Copied"));
        assertTrue(browser.findElement(By.id("stat-speed")).getText().matches("[0-9.]+ tok/s"), browser.findElement(By.id("stat-speed")).getText());
        assertTrue(browser.findElement(By.id("stat-ttft")).getText().matches("first token \\d+ ms"));
        int used = prompt.length + answer.length();
        assertEquals("context " + used + " / 16384 (" + Math.round(100.0 * used / 16384) + " %)", browser.findElement(By.id("stat-context")).getText());
        screenshot("chat");
    }

    @Test
    @Order(2)
    void stopEndsALongAnswerAndFreesTheSlot() throws Exception {
        long cancelledBefore = server.metrics.finishedJobs(FinishReason.CANCELLED);
        setValue("max-tokens", "8000");
        setValue("message", "And now at length");
        browser.findElement(By.id("send")).click();
        List<WebElement> replies = waiting(10).until(d -> {
            List<WebElement> r = d.findElements(By.cssSelector("#messages .msg.assistant"));
            return r.size() == 2 ? r : null;
        });
        WebElement reply = replies.get(1);
        waiting(20).until(d -> reply.getText().length() > 200);
        browser.findElement(By.id("stop")).click();
        waiting(10).until(d -> reply.getText().endsWith("(stopped)"));
        waiting(10).until(d -> server.metrics.finishedJobs(FinishReason.CANCELLED) == cancelledBefore + 1);
        waiting(10).until(d -> model.liveSequences.get() == 0);
        int shown = reply.getText().length();
        assertTrue(shown < 8000, "stopped long before the end: " + shown);
        Thread.sleep(300);
        assertEquals(shown, reply.getText().length(), "nothing arrives after stop");
        assertTrue(browser.findElement(By.id("send")).isEnabled());
        screenshot("chat-stopped");
    }

    @Test
    @Order(3)
    void infillShowsTheMiddleBetweenPrefixAndSuffix() throws Exception {
        browser.findElement(By.id("tab-infill")).click();
        setValue("max-tokens", "40");
        setValue("prefix", "def add(a, b):\n    ");
        setValue("suffix", "\n    return c\n");
        browser.findElement(By.id("infill-run")).click();
        String middle = FakeBatchBackend.answer(model.infillPrompt("def add(a, b):\n    ", "\n    return c\n"), 60, TAIL).substring(0, 40);
        waiting(20).until(d -> Boolean.TRUE.equals(js("return window.codellmStats.done")));
        assertEquals(middle, js("return document.querySelector('#infill-output .middle').textContent"));
        assertEquals("def add(a, b):\n    ", js("return document.querySelector('#infill-output .prefix').textContent"));
        assertEquals("\n    return c\n", js("return document.querySelector('#infill-output .suffix').textContent"));
        screenshot("infill");
    }

    @Test
    @Order(4)
    void thePageAllowsOnlyItsOwnScripts() throws Exception {
        var r = server.get("/");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
        assertEquals(404, server.get("/ui/../pom.xml").statusCode());
        assertEquals(404, server.get("/ui/secret.txt").statusCode());
        assertTrue(server.get("/ui/app.js").headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
    }
}
