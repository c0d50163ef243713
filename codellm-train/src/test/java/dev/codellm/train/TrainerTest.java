package dev.codellm.train;

import dev.codellm.model.llama.LlamaConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.train.model.Activations;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.train.model.Param;
import dev.codellm.train.optim.AdamW;
import dev.codellm.train.optim.LrSchedule;
import dev.codellm.model.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end runs of the trainer on a tiny corpus: learning, resuming, LoRA, checkpoints. */
class TrainerTest {
    @TempDir Path dir;

    private Path corpus() throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        for (int i = 0; i < 12; i++) {
            Files.writeString(src.resolve("m" + i + ".py"), ("def f%d(x):\n    return x + %d\n\n\nclass C%d:\n    def run(self):\n        return f%d(self.value)\n").formatted(i, i, i, i).repeat(3));
        }
        return src;
    }

    private TrainJob.Spec spec(Path data, Path out, Path base, int steps, int loraRank, int threads) {
        TrainOptions o = new TrainOptions(32, 4, 2, steps, 1e-2, 1e-3, 2, 0.0, 1.0, threads, 7, 3, 4, 3600);
        return new TrainJob.Spec(data, out, base, "test", 120, 32, 2, 4, 2, 64, 64, 0.5, 0.5, loraRank, 8, List.of("attn_q", "attn_v", "ffn_up"),
                Set.of("py"), 100, 4, 1_000_000, o);
    }

    private static PrintStream quiet() { return new PrintStream(new ByteArrayOutputStream()); }

    @Test
    void learnsAndWritesALoadableGguf() throws Exception {
        Path out = dir.resolve("run");
        Trainer.Result r = TrainJob.run(spec(corpus(), out, null, 30, 0, 2), quiet());
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(30, metrics.size());
        double first = new com.fasterxml.jackson.databind.ObjectMapper().readTree(metrics.get(0)).get("loss").asDouble();
        assertTrue(first > 4.0, "starts near ln(vocab): " + first);
        assertTrue(r.trainLoss() < first - 2.0, "loss should fall on a repetitive corpus: " + first + " -> " + r.trainLoss());
        assertTrue(Double.isFinite(r.heldOutLoss()));
        assertTrue(Files.readString(out.resolve("loss.html")).contains("<svg"));
        try (GgufFile g = GgufFile.open(out.resolve("model.gguf"))) {
            assertEquals("llama", g.getString("general.architecture"));
            assertEquals("gpt2", g.getString("tokenizer.ggml.model"));
            assertEquals("gpt-2", g.getString("tokenizer.ggml.pre"));
            Tokenizer tok = ModelGguf.tokenizer(g);
            int pre = tok.vocabulary().tokens().indexOf("<PRE>"), eot = tok.vocabulary().tokens().indexOf("<EOT>");
            assertTrue(pre > 0 && tok.isControl(pre) && tok.isControl(eot));
            assertEquals(pre, g.getLong("tokenizer.ggml.prefix_token_id"));
            assertEquals(eot, g.getLong("tokenizer.ggml.eot_token_id"));
            assertEquals(2, g.getLong("llama.attention.head_count_kv"));
            assertArrayEquals(new long[] {32, 64}, g.tensor("blk.0.ffn_gate.weight").shape());
            TrainableLlama loaded = ModelGguf.load(g);
            assertTrue(loaded.config.tiedOutput());
        }
    }

    /** Child-process entry for the kill -9 test: trains the resume spec into args[1]. */
    public static void main(String[] args) {
        TrainerTest t = new TrainerTest();
        TrainJob.run(t.resumeSpec(Path.of(args[0]), Path.of(args[1])), quiet());
    }

    private TrainJob.Spec resumeSpec(Path data, Path out) {
        TrainJob.Spec s = spec(data, out, null, 40, 0, 1);
        TrainOptions o = s.options();
        return new TrainJob.Spec(data, out, null, s.name(), s.vocabMerges(), s.dim(), s.layers(), s.heads(), s.kvHeads(), s.ffnDim(),
                s.context(), s.fimRate(), s.spmRate(), 0, s.loraAlpha(), s.loraTargets(), s.extensions(), s.heldOutPermille(),
                s.heldOutRows(), s.maxFileBytes(), new TrainOptions(o.seqLen(), o.batch(), o.accum(), 40, o.lr(), o.minLr(), o.warmup(),
                o.weightDecay(), o.clip(), 1, o.seed(), 4, 0, 3600));
    }

    @Test
    void resumesAfterKill9WithIdenticalWeights() throws Exception {
        Path data = corpus();
        Path straight = dir.resolve("straight"), killed = dir.resolve("killed");
        TrainJob.run(resumeSpec(data, straight), quiet());

        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                TrainerTest.class.getName(), data.toString(), killed.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        Path state = killed.resolve("state.gguf");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(state) && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, possibly mid-write
        child.waitFor();
        assertTrue(Files.exists(state), "child wrote no checkpoint: " + Files.readString(dir.resolve("child.log")));
        long killedAt = step(state);
        assertTrue(killedAt < 40, "the kill must land mid-run (checkpoint at step " + killedAt + ")");

        TrainJob.run(resumeSpec(data, killed), quiet());
        assertEquals(40, step(state));
        // Not bit-identical: the child JVM runs its first steps before C2 compiles the Vector API
        // kernels, and interpreted lane sums add in another order (~1e-7 relative), which Adam's
        // normalised updates then spread. A resume bug (wrong row, schedule step or moments) moves
        // weights by O(lr) = 1e-2 per step; rounding divergence stays far below that.
        double maxDiff = 0;
        try (GgufFile a = GgufFile.open(straight.resolve("model.gguf")); GgufFile b = GgufFile.open(killed.resolve("model.gguf"))) {
            assertEquals(a.tensors().size(), b.tensors().size());
            for (var t : a.tensors()) {
                float[] x = ModelGguf.floats(a, t.name()), y = ModelGguf.floats(b, t.name());
                for (int i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
            }
        }
        assertTrue(maxDiff < 2e-3, "resumed from step " + killedAt + ": max |weight difference| " + maxDiff);
        var om = new com.fasterxml.jackson.databind.ObjectMapper();
        double lossA = om.readTree(Files.readAllLines(straight.resolve("metrics.jsonl")).getLast()).get("loss").asDouble();
        double lossB = om.readTree(Files.readAllLines(killed.resolve("metrics.jsonl")).getLast()).get("loss").asDouble();
        assertEquals(lossA, lossB, 1e-3, "final-step loss");
        assertEquals(40, Files.readAllLines(killed.resolve("metrics.jsonl")).size(), "metrics keep one line per step");
    }

    @Test
    void loraTrainsAdaptersOnlyAndMergesIntoTheBase() throws Exception {
        Path data = corpus();
        Path baseRun = dir.resolve("base");
        TrainJob.run(spec(data, baseRun, null, 6, 0, 2), quiet());
        Path lora = dir.resolve("lora");
        TrainJob.run(spec(data, lora, baseRun.resolve("model.gguf"), 4, 4, 2), quiet());
        try (GgufFile base = GgufFile.open(baseRun.resolve("model.gguf")); GgufFile merged = GgufFile.open(lora.resolve("model.gguf"));
             GgufFile adapter = GgufFile.open(lora.resolve("adapter.gguf"))) {
            assertEquals("adapter", adapter.getString("general.type"));
            assertEquals(8.0, adapter.getDouble("adapter.lora.alpha"), 1e-6);
            assertTrue(adapter.findTensor("blk.1.attn_v.weight.lora_b").isPresent());
            // untouched layers stay bit-identical, adapted ones move
            assertArrayEquals(ModelGguf.floats(base, "blk.0.attn_k.weight"), ModelGguf.floats(merged, "blk.0.attn_k.weight"));
            assertArrayEquals(ModelGguf.floats(base, "token_embd.weight"), ModelGguf.floats(merged, "token_embd.weight"));
            assertTrue(!java.util.Arrays.equals(ModelGguf.floats(base, "blk.0.attn_q.weight"), ModelGguf.floats(merged, "blk.0.attn_q.weight")));
            // merging the adapter file into the base reproduces the merged model
            TrainableLlama m = ModelGguf.load(base);
            assertEquals(3 * 2, ModelGguf.mergeAdapter(m, adapter));
            for (Param p : m.params.all()) assertArrayEquals(ModelGguf.floats(merged, p.name), p.data, 1e-6f, p.name);
        }
        // SFT from the same base: instruction jsonl, loss on the answers only
        Path sft = dir.resolve("sft.jsonl");
        Files.writeString(sft, """
                {"messages":[{"role":"user","content":"Write f0."},{"role":"assistant","content":"def f0(x):\\n    return x + 0"}]}
                {"instruction":"Write f1.","output":"def f1(x):\\n    return x + 1"}
                """.repeat(6));
        Trainer.Result sftRun = TrainJob.run(spec(sft, dir.resolve("sft"), baseRun.resolve("model.gguf"), 3, 0, 2), quiet());
        assertTrue(Double.isFinite(sftRun.trainLoss()) && Files.exists(dir.resolve("sft/model.gguf")));
    }

    @Test
    void mergedLoraComputesWhatTheAdaptedModelComputes() throws Exception {
        TrainableLlama m = new TrainableLlama(new LlamaConfig(16, 1, 2, 2, 24, 20, 16, 1e-5f, 10000f, true));
        m.initRandom(1);
        java.util.Random rnd = new java.util.Random(2);
        for (var lin : m.linears()) {
            lin.attachLora(m.params, 2, 4f, rnd);
            for (int i = 0; i < lin.loraB.data.length; i++) lin.loraB.data[i] = (float) rnd.nextGaussian() * 0.1f;
        }
        int[] tokens = {1, 5, 7, 3, 19, 0};
        Activations a = m.newActivations(6);
        m.forward(tokens, null, null, 6, a);
        float[] before = logits(m, tokens);
        for (var lin : m.linears()) lin.mergeLora();
        assertArrayEquals(before, logits(m, tokens), 1e-4f);
    }

    private static float[] logits(TrainableLlama m, int[] tokens) throws Exception {
        Activations a = m.newActivations(tokens.length);
        m.forward(tokens, null, null, tokens.length, a);
        var f = Activations.class.getDeclaredField("logits");
        f.setAccessible(true);
        return java.util.Arrays.copyOf((float[]) f.get(a), tokens.length * m.config.vocabSize());
    }

    @Test
    void adamWAndScheduleFollowTheirDefinitions() {
        TrainableLlama m = new TrainableLlama(new LlamaConfig(2, 1, 1, 1, 2, 4, 4, 1e-5f, 10000f, true));
        Param w = m.params.get("token_embd.weight");
        java.util.Arrays.fill(w.data, 1f);
        float[][] g = m.params.newGradients();
        java.util.Arrays.fill(g[w.index], 0.5f);
        AdamW adam = new AdamW(m.params.all(), 0.9, 0.95, 1e-8, 0.1);
        adam.step(m.params.all(), g, 0.01, 0);
        // step 1: m̂ = g, v̂ = g², update = lr * g/|g| = lr; decoupled decay multiplies by (1 - lr*wd)
        assertEquals(1f * (1 - 0.01f * 0.1f) - 0.01f, w.data[0], 1e-6f);
        java.util.Arrays.fill(g[w.index], 30f);
        double norm = adam.step(m.params.all(), g, 0.0, 1.0);
        assertEquals(30 * Math.sqrt(w.size()), norm, 1e-3, "reports the pre-clip norm");
        LrSchedule s = new LrSchedule(1.0, 0.1, 10, 110);
        assertEquals(0.1, s.at(0), 1e-12);
        assertEquals(1.0, s.at(9), 1e-12);
        assertEquals(1.0, s.at(10), 1e-12);
        assertEquals(0.55, s.at(60), 1e-12);
        assertEquals(0.1, s.at(110), 1e-12);
    }

    @Test
    void corruptCheckpointsFailWithAClearMessage() throws Exception {
        Path out = dir.resolve("run");
        TrainJob.run(spec(corpus(), out, null, 3, 0, 1), quiet());
        byte[] b = Files.readAllBytes(out.resolve("model.gguf"));
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));
        var e = assertThrows(CodellmException.class, () -> TrainJob.run(spec(corpus(), dir.resolve("o2"), cut, 1, 0, 1), quiet()));
        assertTrue(e.getMessage().contains("cut.gguf") && (e.getMessage().contains("past the end of the file") || e.getMessage().contains("file ends inside")), e.getMessage());
        Files.write(cut, "not a gguf".getBytes());
        e = assertThrows(CodellmException.class, () -> TrainJob.run(spec(corpus(), dir.resolve("o3"), cut, 1, 0, 1), quiet()));
        assertTrue(e.getMessage().contains("cut.gguf") && e.getMessage().toLowerCase().contains("magic"), e.getMessage());
        e = assertThrows(CodellmException.class, () -> TrainJob.run(spec(dir.resolve("missing"), dir.resolve("o"), null, 1, 0, 1), quiet()));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    private static long step(Path state) {
        try (GgufFile s = GgufFile.open(state)) {
            return s.getLong("train.step");
        }
    }
}
