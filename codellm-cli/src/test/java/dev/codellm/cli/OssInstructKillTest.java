package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a running {@code codellm oss-instruct} (a separate JVM) against a slow stub
 * endpoint, then the same command again: every answer received before the kill is kept as it
 * was, and only the rest is asked.
 */
class OssInstructKillTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    @Test
    void killMinus9LosesNothingAlreadyAnswered() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        for (String f : List.of("textwrap.py", "heapq.py", "bisect.py")) Files.copy(Path.of("/usr/lib/python3.11", f), corpus.resolve(f));
        StubTeacher teacher = new StubTeacher(400);
        AtomicInteger requests = teacher.requests;
        try {
            Path out = tmp.resolve("out");
            List<String> args = List.of("oss-instruct", "--corpus", corpus.toString(), "--out", out.toString(), "--num-seeds", "16",
                    "--endpoint", teacher.url(), "--api-model", "stub", "--concurrency", "2",
                    "--decontam", "none");
            Process p = start(args);
            Path responses = out.resolve("responses.jsonl");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lines(responses).size() < 4 && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(50);
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
            p.waitFor(10, TimeUnit.SECONDS);
            List<String> before = lines(responses);
            assertTrue(before.size() >= 4 && before.size() < 16, "killed mid-run, answers so far: " + before.size());
            int askedBefore = requests.get();

            teacher.delayMs = 0;
            Process again = start(args);
            assertTrue(again.waitFor(90, TimeUnit.SECONDS), "rerun finished");
            assertEquals(0, again.exitValue(), new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            List<String> after = lines(responses);
            assertEquals(before, after.subList(0, before.size()), "answers from before the kill are untouched");
            Set<String> ids = new HashSet<>();
            for (String l : after) ids.add(JSON.readTree(l).get("seed_id").asText());
            assertEquals(16, ids.size());
            assertEquals(16, after.size());
            // Only unanswered seeds were asked again (the ones in flight at the kill may be asked twice).
            assertTrue(requests.get() - askedBefore == 16 - before.size(), "asked again: " + (requests.get() - askedBefore));
            JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
            assertEquals(16, report.get("tokens").get("answers").asInt());
            assertEquals(before.size(), report.get("teacher").get("already_answered").asInt());
        } finally {
            teacher.close();
        }
    }

    static List<String> lines(Path f) throws IOException {
        if (!Files.exists(f)) return List.of();
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) if (!l.isBlank()) out.add(l);
        return out;
    }

    static Process start(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.codellm.cli.Main"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
