package dev.codellm.server;

import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.generate.GeneratorOptions;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Benchmark, not run by the suite (the name does not end in Test): the web UI's time to first
 * token next to curl's for the same streamed chat request, alternating, on a real model.
 * {@code ./run-tests -pl codellm-server -am -Dtest=WebUiLatencyBench [-Dbench.model=FILE.gguf]
 * [-Dbench.reps=5]}; prints the figures and writes {@code target/webui/ttft.json}. The UI's time
 * is measured in the page (from the send handler to the first token shown); curl's from starting
 * the process to the first content chunk on its output.
 */
class WebUiLatencyBench {
    static final String QUESTION = "Write a Python function that reverses a string.";

    @Test
    void uiTimeToFirstTokenVersusCurl() throws Exception {
        Path model = Path.of(System.getProperty("bench.model", DefaultModelFile.path().toString()));
        int reps = Integer.getInteger("bench.reps", 5);
        ServerConfig config = new ServerConfig(model, new GeneratorOptions(2048, "f16", null, null, 0), 1, 8,
                ServerOptions.defaults().withPort(0));
        Path profile = Files.createTempDirectory("codellm-ttft-profile");
        List<Double> ui = new ArrayList<>(), curl = new ArrayList<>();
        try (Server server = Server.start(config)) {
            String base = "http://127.0.0.1:" + server.port();
            ChromeOptions options = new ChromeOptions();
            options.setBinary("/usr/bin/chromium");
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile);
            WebDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
            try {
                browser.get(base + "/");
                for (String[] f : new String[][] {{"temperature", "0"}, {"max-tokens", "16"}, {"top-k", "40"}, {"top-p", "0.95"}}) {
                    WebElement e = browser.findElement(By.id(f[0]));
                    e.clear();
                    e.sendKeys(f[1]);
                }
                String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + QUESTION + "\"}], \"stream\": true, "
                        + "\"stream_options\": {\"include_usage\": true}, \"max_tokens\": 16, \"temperature\": 0, \"top_p\": 0.95, \"top_k\": 40}";
                for (int r = -1; r < reps; r++) { // r = -1: warm-up of both
                    double u = uiOnce(browser), c = curlOnce(base, body);
                    if (r >= 0) {
                        ui.add(u);
                        curl.add(c);
                    }
                }
            } finally {
                browser.quit();
            }
            String summary = String.format(java.util.Locale.ROOT,
                    "{\"model\": \"%s\", \"ui_ms\": %s, \"curl_ms\": %s, \"ui_median_ms\": %.1f, \"curl_median_ms\": %.1f}",
                    model.getFileName(), ui, curl, median(ui), median(curl));
            Files.createDirectories(Path.of("target", "webui"));
            Files.writeString(Path.of("target", "webui", "ttft.json"), summary + "\n");
            System.out.println("WebUiLatencyBench " + summary);
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double uiOnce(WebDriver browser) {
        browser.findElement(By.id("clear")).click();
        WebElement message = browser.findElement(By.id("message"));
        message.sendKeys(QUESTION);
        browser.findElement(By.id("send")).click();
        new WebDriverWait(browser, Duration.ofMinutes(5)).until(d ->
                Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript("return window.codellmStats.done")));
        Object ttft = ((JavascriptExecutor) browser).executeScript("return window.codellmStats.ttftMs");
        return ((Number) ttft).doubleValue();
    }

    private static double curlOnce(String base, String body) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("curl", "-sN", base + "/v1/chat/completions", "-H", "Content-Type: application/json", "-d", body).start();
        double first = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (first < 0 && line.startsWith("data: {") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                    first = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        p.waitFor();
        return first;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.isEmpty() ? Double.NaN : s.get(s.size() / 2);
    }
}
