package dev.codellm.eval.exec;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.sandbox.BwrapSandbox;
import dev.codellm.eval.sandbox.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 ("limits that never fail correct code"): a HumanEval+-style task's memory limit is
 * derived from what its reference solution measured in the ground-truth run, by EvalPlus's rule
 * max(floor, factor × reference), like its CPU limits, and cached with the dataset's checksum; a
 * failure names the limit it hit. Before, every task had a fixed 4 GiB: a sample using three
 * times the reference's memory passed. The rule here has a 64 MiB floor and a factor of 2, so a
 * reference of 200 MB shows it without a multi-GiB test.
 */
class ReferenceLimitsTest {
    @TempDir
    static Path cache;
    private static BwrapSandbox sandbox;
    private static final ReferenceRule SMALL = new ReferenceRule(1.0, 4.0, 64 * Limits.MIB, 2.0, 2 * Limits.GIB);
    /** Fills n MiB (b'x' * k touches every page, unlike bytearray(k)) and returns the size. */
    private static final String PROMPT = "def f(n):\n";
    private static final String FILL = "    b = b'x' * (%d * n << 20)\n    return len(b) // %d\n";

    @BeforeAll
    static void setUp() {
        sandbox = BwrapSandbox.create();
    }

    private static Task task(String id, int mib) {
        ObjectNode raw = dev.codellm.core.io.Json.MAPPER.createObjectNode();
        raw.put("task_id", id).put("dataset", "humaneval+").put("entry_point", "f").put("atol", 0);
        raw.put("prompt", PROMPT).put("canonical_solution", FILL.formatted(1, 1));
        raw.putArray("base_input").addArray().add(mib);
        raw.putArray("plus_input").addArray().add(1);
        return new Task(id, PROMPT, PROMPT, "f", FILL.formatted(1, 1), List.of(), raw);
    }

    @Test
    void memoryLimitsFollowEachReferenceAndAFailureNamesTheLimit() throws IOException {
        Task big = task("T/big", 200), small = task("T/small", 1);
        Dataset d = new Dataset(DatasetId.HUMANEVAL_PLUS, List.of(big, small), "0123456789abcdef0123456789abcdef");
        PythonEvaluator ev = new PythonEvaluator(sandbox, d, cache, SMALL);
        ev.prepareGroundTruth(d.tasks(), 2);

        // Measured once, cached with the dataset's checksum.
        Path gtDir;
        try (Stream<Path> s = Files.list(cache.resolve("groundtruth"))) {
            gtDir = s.filter(p -> p.getFileName().toString().contains("0123456789abcdef")).findFirst().orElseThrow();
        }
        JsonNode gt = dev.codellm.core.io.Json.MAPPER.readTree(gtDir.resolve("T_big.json").toFile());
        assertTrue(gt.path("peak_rss").asLong() > 200L << 20, "the reference's 200 MiB are measured: " + gt.path("peak_rss"));
        assertTrue(gt.path("vm_peak").asLong() >= gt.path("peak_rss").asLong(), "vm_peak " + gt.path("vm_peak"));

        String reference = PROMPT + FILL.formatted(1, 1);
        String halfMore = PROMPT + "    b = b'x' * ((n << 20) * 3 // 2)\n    return n << 20\n";
        String threeTimes = PROMPT + FILL.formatted(3, 3);
        for (Task t : List.of(big, small)) {
            SampleResult ok = ev.evaluate(t, reference);
            assertTrue(ok.plusPassed(), t.taskId() + ": the reference passes its own limits: " + ok);
            assertNull(ok.limitHit());
        }
        SampleResult within = ev.evaluate(big, halfMore);
        assertTrue(within.plusPassed(), "1.5 × the reference is within factor 2: " + within);

        SampleResult over = ev.evaluate(big, threeTimes);
        assertEquals("fail", over.baseStatus(), "3 × the reference is over factor 2 (passed under the fixed 4 GiB): " + over);
        assertEquals("memory", over.limitHit(), over.toString());
        assertTrue(over.error().contains("memory limit"), over.error());

        // The same 200 MiB on the task whose reference needs ~20 MiB: over its floor of 64 MiB.
        SampleResult smallOver = ev.evaluate(small, PROMPT + "    b = b'x' * (200 << 20)\n    return n\n");
        assertEquals("fail", smallOver.baseStatus(), smallOver.toString());
        assertEquals("memory", smallOver.limitHit(), smallOver.toString());

        SampleResult loop = ev.evaluate(small, PROMPT + "    while True:\n        pass\n");
        assertEquals("timeout", loop.baseStatus(), loop.toString());
        assertEquals("cpu", loop.limitHit(), loop.toString());
        assertTrue(loop.error().contains("CPU limit of 1.00 s for this input"), loop.error());
    }

    @Test
    void theRuleIsMaxOfFloorAndFactorTimesReferenceCappedAtWhatTheReferenceHad() {
        ReferenceRule r = ReferenceRule.EVALPLUS;
        assertEquals(1.0, r.seconds(0.01));
        assertEquals(8.0, r.seconds(2.0));
        assertEquals(4 * Limits.GIB, r.memory(20L << 20), "EvalPlus's 4 GiB for an ordinary task");
        assertEquals(4 * Limits.GIB, r.memory(-1), "not measured: the floor");
        long mbpp255 = 1_210_000_000L; // its reference's peak RSS measured here (1.15 GiB)
        assertEquals(4 * mbpp255, r.memory(mbpp255));
        assertEquals(PythonEvaluator.GROUND_TRUTH_MEMORY, r.memory(10 * Limits.GIB), "capped at the ground-truth run's own limit");
        assertThrows(IllegalArgumentException.class, () -> new ReferenceRule(1, 4, 4 * Limits.GIB, 4, Limits.GIB));
    }
}
