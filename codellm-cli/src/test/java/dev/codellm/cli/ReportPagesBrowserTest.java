package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Every report page rendered in Debian's headless Chromium (through chromedriver, as the web UI
 * test does): the layout check ({@code report-layout-check.js}) reads the DOM's bounding boxes and
 * lists any text that overflows its box or is cut at a chart's edge, labels that overlap, a label
 * lying on a curve, an invisible bar. Each page also shows what its reader needs (every series in
 * the legend, whole titles and notes). Screenshots stay in {@code target/report-pages/} — look at them.
 */
class ReportPagesBrowserTest {
    static final Path DIR = Path.of("target", "report-pages").toAbsolutePath();
    static WebDriver browser;
    static Path profile;
    static String check;

    @BeforeAll
    static void start() throws Exception {
        for (String exe : new String[] {"/usr/bin/chromium", "/usr/bin/chromedriver"}) {
            assertTrue(new File(exe).canExecute(), exe + " is missing: run scripts/setup.sh (Debian packages chromium, chromium-driver)");
        }
        try (InputStream in = ReportPagesBrowserTest.class.getResourceAsStream("/report-layout-check.js")) {
            check = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.createDirectories(DIR);
        profile = Files.createTempDirectory("codellm-report-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,900",
                "--force-device-scale-factor=1");
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(driver, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) browser.quit();
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Opens the page with every folded section ({@code <details>}: the code tested) unfolded, so the
     * check and the screenshot cover them too, keeps a whole-page screenshot next to it, and fails
     * with every layout problem found.
     */
    static void render(Path page) throws Exception {
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get(page.toUri().toString());
        ((JavascriptExecutor) browser).executeScript("document.querySelectorAll('details').forEach(d => d.open = true)");
        Object rawProblems = ((JavascriptExecutor) browser).executeScript(check);
        long height = (Long) ((JavascriptExecutor) browser).executeScript("return Math.ceil(document.documentElement.scrollHeight)");
        browser.manage().window().setSize(new Dimension(1280, (int) Math.min(8000, Math.max(900, height + 140))));
        String name = page.getFileName().toString().replaceAll("\\.html$", "");
        Files.write(DIR.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        List<?> problems = (List<?>) rawProblems;
        assertTrue(problems.isEmpty(), page.getFileName() + " (screenshot " + DIR.resolve(name + ".png") + "):\n  "
                + String.join("\n  ", problems.stream().map(Object::toString).toList()));
    }

    /** The texts of the page's charts, in order. */
    static List<String> chartTexts() {
        return browser.findElements(By.cssSelector("svg text")).stream().map(WebElement::getText).toList();
    }

    @Test
    void humanEvalPlusReport() throws Exception {
        render(ReportPages.humanEvalPlus(DIR));
        List<String> texts = chartTexts();
        assertTrue(texts.contains("base") && texts.contains("plus (base + extra tests)"), "both series in the legend: " + texts);
        assertTrue(browser.findElement(By.tagName("body")).getText().contains("temperature 0.2"), "the run's settings are shown");
    }

    @Test
    void evalCompare() throws Exception {
        render(ReportPages.evalCompare(DIR));
        List<String> texts = chartTexts();
        for (String model : List.of("codellama-7b-instruct.Q4_K_M (compare-run-1)", "magicoder-s-cl-7b.Q8_0 (compare-run-2)",
                "llama-2-tiny-random (compare-run-3)")) {
            assertTrue(texts.contains(model), "every run in the legend: " + model + " in " + texts);
        }
        assertTrue(texts.stream().anyMatch(t -> t.startsWith("pass@k") && t.endsWith("plus tests)")), "whole title: " + texts);
        for (WebElement h : browser.findElements(By.xpath("//h3[starts-with(., 'Only ')]"))) {
            WebElement next = h.findElement(By.xpath("following-sibling::*[1]"));
            assertFalse(next.getText().isBlank(), h.getText() + " is followed by nothing");
        }
    }

    @Test
    void multiplReport() throws Exception {
        render(ReportPages.multipl(DIR));
        assertNotAvailableOnlyForMissingToolchains();
    }

    @Test
    void multiplCompare() throws Exception {
        render(ReportPages.multiplCompare(DIR));
        assertNotAvailableOnlyForMissingToolchains();
    }

    /** "n/a" means "toolchain missing": of the fixture's languages only C# lacks one; languages not run are "-". */
    private static void assertNotAvailableOnlyForMissingToolchains() {
        String body = browser.findElement(By.tagName("body")).getText();
        assertTrue(body.contains("n/a = not scored, toolchain missing"), body);
        List<String> texts = chartTexts();
        long na = texts.stream().filter(t -> t.equals("n/a")).count();
        long runs = browser.findElements(By.cssSelector("table.paper tr")).size() - 1;
        assertEquals(runs, na, "one n/a per run (C#), none for languages that were not run: " + texts);
        for (WebElement li : browser.findElements(By.cssSelector("li"))) {
            assertTrue(li.getText().matches("(?s).*[\\w)%]$"), "note ends in a whole word: " + li.getText());
        }
    }

    @Test
    void ds1000Report() throws Exception {
        render(ReportPages.ds1000(DIR));
        String body = browser.findElement(By.tagName("body")).getText();
        assertTrue(body.contains("needs tensorflow (not installed)"), "why TensorFlow is not scored");
        assertTrue(body.contains("temperature 0.2") && body.contains("max tokens 1024"), "the run's settings are shown");
        List<WebElement> code = browser.findElements(By.cssSelector("tr.fail details"));
        assertFalse(code.isEmpty(), "the code of a failing problem");
        assertTrue(code.get(0).findElement(By.tagName("pre")).getText().contains("groupby"), "the code tested: " + code.get(0).getText());
        assertTrue(chartTexts().contains("CodeLlama-7b-Python-hf.Q8_0"), "the run in the legend: " + chartTexts());
    }

    @Test
    void ds1000Compare() throws Exception {
        render(ReportPages.ds1000Compare(DIR));
        List<String> texts = chartTexts();
        for (String run : List.of("CodeLlama-7b-Python-hf.Q8_0 (ds1000-a)", "magicoder-s-cl-7b.Q4_K_M (ds1000-b)")) {
            assertTrue(texts.contains(run), "every run in the legend: " + run + " in " + texts);
        }
    }

    @Test
    void trainingLoss() throws Exception {
        render(ReportPages.trainLoss(DIR));
        List<String> texts = chartTexts();
        assertTrue(texts.stream().anyMatch(t -> t.startsWith("learning rate")), "an LR curve: " + texts);
        assertTrue(texts.stream().anyMatch(t -> t.contains("smoothed")), "a smoothed loss: " + texts);
    }

    @Test
    void dataJobReport() throws Exception {
        render(ReportPages.dataJob(DIR));
    }

    @Test
    void keyRetrievalReport() throws Exception {
        render(ReportPages.keyRetrieval(DIR));
    }

    @Test
    void perplexityByPosition() throws Exception {
        render(ReportPages.perplexity(DIR));
    }

    @Test
    void decontamReport() throws Exception {
        render(ReportPages.decontam(DIR));
        List<String> marks = browser.findElements(By.cssSelector("pre.match mark")).stream().map(WebElement::getText).toList();
        assertEquals(2, marks.size(), "one example per removed record: " + marks);
        assertTrue(marks.get(0).startsWith("from typing import List") || marks.get(0).contains("def has_close_elements"), marks.get(0));
        assertTrue(chartTexts().contains("humaneval"), "removals per benchmark: " + chartTexts());
    }

    @Test
    void ossInstructFunnel() throws Exception {
        render(ReportPages.ossInstruct(DIR));
        List<String> texts = chartTexts();
        for (String stage : List.of("seeds", "asked the teacher", "answered", "parsed (problem + solution)", "kept")) {
            assertTrue(texts.contains(stage), stage + " in " + texts);
        }
        assertTrue(browser.findElement(By.tagName("body")).getText().contains("python solution does not parse"));
        assertEquals("analysis.html", browser.findElement(By.cssSelector("a[href='analysis.html']")).getText());
    }

    @Test
    void ossInstructAnalysis() throws Exception {
        render(ReportPages.ossAnalysis(DIR));
        assertTrue(chartTexts().contains("data science and machine learning problems"), "every category labelled: " + chartTexts());
    }
}
