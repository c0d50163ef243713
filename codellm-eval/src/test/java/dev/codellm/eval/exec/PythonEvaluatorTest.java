package dev.codellm.eval.exec;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.sandbox.BwrapSandbox;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On a few tasks of every dataset: the canonical solution passes base (and plus), and a
 * deliberately wrong one (the entry point redefined to return a sentinel) fails. The full
 * datasets are checked by the benchmark ({@code codellm eval --samples canonical}), not here.
 */
class PythonEvaluatorTest {
    @TempDir
    static Path cache;
    private static BwrapSandbox sandbox;

    @BeforeAll
    static void setUp() {
        sandbox = BwrapSandbox.create();
    }

    static String canonicalProgram(Dataset d, Task t) {
        return d.id() == DatasetId.MBPP ? t.canonicalSolution() : t.prompt() + t.canonicalSolution();
    }

    @ParameterizedTest
    @EnumSource(DatasetId.class)
    void canonicalPassesAndWrongFails(DatasetId id) {
        Dataset d = dev.codellm.eval.TestDatasets.get(id).limit(3);
        PythonEvaluator ev = new PythonEvaluator(sandbox, d, cache);
        ev.prepareGroundTruth(d.tasks(), 2);
        for (Task t : d.tasks()) {
            String good = canonicalProgram(d, t);
            SampleResult ok = ev.evaluate(t, good);
            assertEquals("pass", ok.baseStatus(), t.taskId() + ": " + ok);
            if (id.isPlus()) assertEquals("pass", ok.plusStatus(), t.taskId() + ": " + ok);
            else assertNull(ok.plusStatus());

            String wrong = good + "\n\ndef " + t.entryPoint() + "(*args, **kwargs):\n    return '__wrong__'\n";
            SampleResult bad = ev.evaluate(t, wrong);
            assertEquals("fail", bad.baseStatus(), t.taskId() + ": " + bad);
            assertNotNull(bad.baseFailTest(), "the failing test is named");
            assertFalse(bad.plusPassed());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DatasetId.class, names = {"HUMANEVAL", "HUMANEVAL_PLUS"})
    void syntaxErrorsAndInfiniteLoopsAreReported(DatasetId id) {
        Dataset d = dev.codellm.eval.TestDatasets.get(id).limit(1);
        PythonEvaluator ev = new PythonEvaluator(sandbox, d, cache);
        Task t = d.tasks().get(0);
        SampleResult syntax = ev.evaluate(t, t.prompt() + "    return (\n");
        assertEquals("fail", syntax.baseStatus());
        assertTrue(syntax.error().contains("SyntaxError"), syntax.error());

        SampleResult loop = ev.evaluate(t, t.prompt() + "    while True:\n        pass\n");
        assertNotEquals("pass", loop.baseStatus());
        assertTrue(loop.error().contains("timed out"), loop.error());
        assertTrue(List.of("fail", "timeout").contains(loop.baseStatus()));
    }
}
