package dev.codellm.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real all-MiniLM-L6-v2 model in process on hand-written problems and real HumanEval prompts. */
class CategoryAnalysisTest {
    @TempDir Path tmp;

    @Test
    void categoriesAndHumanEvalSimilarity() throws Exception {
        Path data = tmp.resolve("data.jsonl");
        Files.write(data, List.of(
                "{\"problem\":\"Write a SQL query that joins the orders and customers tables and returns each customer's total order amount.\"}",
                "{\"problem\":\"Implement a function that returns the shortest path between two nodes of a weighted graph using Dijkstra's algorithm.\"}",
                "{\"problem\":\"Hash user passwords with a salt and verify a login attempt against the stored hash.\"}",
                "{\"problem\":\"Train a linear regression model on a pandas DataFrame and plot its predictions.\"}",
                "{\"problem\":\"Check if in given list of numbers, are any two numbers closer to each other than given threshold.\"}"));
        // The first 8 real HumanEval tasks keep the test short (the model runs on a shared CPU).
        List<String> he = dev.codellm.core.benchmark.BenchmarkFiles.standard()
                .texts(dev.codellm.core.benchmark.BenchmarkRegistry.HUMANEVAL, List.of("prompt")).subList(0, 8);
        CategoryAnalysis.Result r = CategoryAnalysis.run(data, he, tmp.resolve("out"), null);
        assertEquals("Database and SQL Problems", r.assigned().get(0));
        assertEquals("Algorithmic and Data Structure Problems", r.assigned().get(1));
        assertEquals("Security and Cryptography Problems", r.assigned().get(2));
        assertEquals("Data Science and Machine Learning Problems", r.assigned().get(3));
        assertEquals(5, r.categories().values().stream().mapToInt(Integer::intValue).sum());
        // The last problem paraphrases HumanEval/0's docstring: it is the one closest to HumanEval.
        List<Double> sims = r.nearestHumanEval();
        for (int i = 0; i < 4; i++) assertTrue(sims.get(4) > sims.get(i) + 0.1, sims.toString());
        assertTrue(sims.get(4) > 0.6, sims.toString());
        String html = Files.readString(tmp.resolve("out/analysis.html"));
        assertTrue(html.contains("<svg") && html.contains("Database and SQL Problems"));
        assertTrue(Files.readString(tmp.resolve("out/analysis.json")).contains("mean_nearest_humaneval_similarity"));
    }
}
