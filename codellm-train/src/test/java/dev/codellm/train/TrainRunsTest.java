package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.train.optim.LrSchedule;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run tells its user: the warm-up it gets, a rerun of a finished run, the held-out loss of SFT. */
class TrainRunsTest {
    @TempDir Path dir;

    private Path corpus() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        for (int i = 0; i < 6; i++) Files.writeString(src.resolve("m" + i + ".py"), "def f%d(x):\n    return x + %d\n".formatted(i, i).repeat(4));
        return src;
    }

    private static TrainJob.Spec spec(Path data, Path out, Path base, int steps) {
        TrainOptions o = new TrainOptions(32, 2, 1, steps, 1e-2, 1e-3, 1, 0.0, 1.0, 1, 7, 0, 100, 3600);
        return new TrainJob.Spec(data, out, base, "t", 60, 16, 1, 2, 2, 32, 64, 0.5, 0.5, 0, 8, List.of("attn_q"),
                Set.of("py"), 200, 4, 1_000_000, o);
    }

    record Logged(Trainer.Result result, String log) {}

    private static Logged run(TrainJob.Spec s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Trainer.Result r = TrainJob.run(s, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Logged(r, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void defaultWarmupScalesWithTheRun() {
        assertEquals(50, LrSchedule.defaultWarmup(1000), "the old default for the default length");
        assertEquals(2, LrSchedule.defaultWarmup(30));
        assertEquals(1, LrSchedule.defaultWarmup(1));
        LrSchedule s = new LrSchedule(1e-3, 1e-4, LrSchedule.defaultWarmup(30), 30);
        assertEquals(1e-3, s.at(1), 1e-15, "a 30-step run reaches its peak rate");
    }

    @Test
    void aWarmupLongerThanTheRunIsSaid() throws Exception {
        TrainJob.Spec s = spec(corpus(), dir.resolve("w"), null, 2);
        TrainOptions o = s.options();
        TrainJob.Spec longWarmup = new TrainJob.Spec(s.data(), s.out(), null, s.name(), s.vocabMerges(), s.dim(), s.layers(), s.heads(),
                s.kvHeads(), s.ffnDim(), s.context(), s.fimRate(), s.spmRate(), 0, s.loraAlpha(), s.loraTargets(), s.extensions(),
                s.heldOutPermille(), s.heldOutRows(), s.maxFileBytes(), new TrainOptions(o.seqLen(), o.batch(), o.accum(), 2, o.lr(),
                o.minLr(), 50, o.weightDecay(), o.clip(), 1, o.seed(), 0, 100, 3600));
        assertTrue(run(longWarmup).log().contains("train: warning: warm-up (50 steps) is longer than the run (2 steps): the rate never reaches 1.00e-02"));
    }

    /** Before: the rerun trained nothing and printed "done: 3 steps, train loss NaN, held-out loss NaN, 0 tok/s". */
    @Test
    void aRerunOfAFinishedRunSaysSo() throws Exception {
        Path out = dir.resolve("run");
        Logged first = run(spec(corpus(), out, null, 3));
        assertEquals(3, first.result().stepsRun());
        byte[] model = Files.readAllBytes(out.resolve("model.gguf"));
        Logged again = run(spec(corpus(), out, null, 3));
        assertTrue(again.result().alreadyFinished());
        assertEquals(first.result().trainLoss(), again.result().trainLoss(), 1e-9, "the loss the run ended with");
        assertTrue(again.log().contains("train: " + out + " already finished at step 3 of 3 (train loss "), again.log());
        assertTrue(again.log().contains("raise --steps to train further, or use another --out"), again.log());
        assertFalse(again.log().contains("NaN") || again.log().contains(" 0 tok/s") || again.log().contains("done:"), again.log());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.jsonl")).size(), "nothing appended");
        assertTrue(java.util.Arrays.equals(model, Files.readAllBytes(out.resolve("model.gguf"))), "the model is left as it was");
    }

    /**
     * A crash mid-append (kill -9, a full disk) leaves metrics.jsonl with a torn last line: the rerun
     * resumes under core's one torn-line policy (the torn line is cut off) instead of failing on it.
     * Before: the resume died with Jackson's "Unexpected end-of-input" and could not be resumed at all.
     */
    @Test
    void aTornMetricsLineDoesNotStopTheResume() throws Exception {
        Path out = dir.resolve("torn");
        run(spec(corpus(), out, null, 3));
        Files.writeString(out.resolve("metrics.jsonl"), "{\"step\": 4, \"lo", java.nio.file.StandardOpenOption.APPEND);
        Logged again = run(spec(corpus(), out, null, 5));
        assertEquals(2, again.result().stepsRun(), again.log());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(5, lines.size(), String.join("\n", lines));
        for (int i = 0; i < lines.size(); i++)
            assertEquals(i + 1, dev.codellm.core.io.Json.MAPPER.readTree(lines.get(i)).get("step").asInt(), lines.get(i));
    }

    /** Before: fewer than ten instruction records held none out, and SFT printed "held-out loss NaN". */
    @Test
    void sftOnASmallFileReportsAHeldOutLoss() throws Exception {
        Path base = dir.resolve("base");
        run(spec(corpus(), base, null, 2));
        Path sft = Files.writeString(dir.resolve("sft.jsonl"), """
                {"messages":[{"role":"user","content":"Write f0."},{"role":"assistant","content":"def f0(x):\\n    return x + 0"}]}
                {"instruction":"Write f1.","output":"def f1(x):\\n    return x + 1"}
                """.repeat(3));
        Logged r = run(spec(sft, dir.resolve("sft"), base.resolve("model.gguf"), 2));
        assertTrue(Double.isFinite(r.result().heldOutLoss()), r.log());
        assertTrue(r.log().contains("instruction rows for training, 1 held out"), r.log());
        assertTrue(r.log().matches("(?s).*done: 2 steps, train loss \\d+\\.\\d+, held-out loss \\d+\\.\\d+, .*"), r.log());
    }
}
