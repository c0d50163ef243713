package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.NumpyReference;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Meta's original layout split for model parallelism (consolidated.00.pth, .01.pth ...), written by
 * python3-torch from the same weights as hf_reference.py's safetensors: merged, it gives the tensors
 * the Hugging Face conversion gives and the logits of the independent float64 reference; broken
 * shard sets and hostile pickles (hostile_pth.py) are one-line errors and nothing in them runs.
 */
class MetaCheckpointTest {
    @TempDir Path dir;

    HfConvertTest reference() {
        HfConvertTest h = new HfConvertTest();
        h.dir = dir;
        return h;
    }

    @Test
    void modelParallelShardsMergeIntoTheHuggingFaceConversionsTensors() throws Exception {
        JsonNode ref = reference().checkpoint("F32", 1, false, true, null, 2);
        Path meta2 = dir.resolve("meta2");
        try (PthCheckpoint a = PthCheckpoint.open(meta2.resolve("consolidated.00.pth"))) {
            assertArrayEquals(new long[] {32000, 64}, a.tensors().get("tok_embeddings.weight").shape(), "the embedding's columns are split");
            assertArrayEquals(new long[] {64, 128}, a.tensors().get("layers.0.attention.wq.weight").shape(), "wq's rows are split");
        }
        Path fromHf = dir.resolve("hf.gguf"), fromShards = dir.resolve("shards.gguf");
        HfToGguf.convert(dir.resolve("hf"), fromHf, QuantType.F32, "m", 2, HfConvertTest.QUIET);
        HfToGguf.convert(meta2, fromShards, QuantType.F32, "m", 2, HfConvertTest.QUIET);
        try (GgufFile a = GgufFile.open(fromHf); GgufFile b = GgufFile.open(fromShards)) {
            assertEquals(a.tensors().size(), b.tensors().size());
            for (var t : a.tensors()) {
                assertArrayEquals(t.shape(), b.tensor(t.name()).shape(), t.name());
                assertArrayEquals(t.data().toArray(ValueLayout.JAVA_BYTE), b.tensor(t.name()).data().toArray(ValueLayout.JAVA_BYTE), t.name());
            }
            assertEquals(a.getInt("llama.feed_forward_length"), b.getInt("llama.feed_forward_length"));
            assertEquals(2, b.getInt("llama.attention.head_count_kv"));
        }
        // F32 -> F16: the merged rows decoded and encoded (the path above copies the stored bytes)
        Path hf16 = dir.resolve("hf16.gguf"), shards16 = dir.resolve("shards16.gguf");
        HfToGguf.convert(dir.resolve("hf"), hf16, QuantType.F16, "m", 2, HfConvertTest.QUIET);
        HfToGguf.convert(meta2, shards16, QuantType.F16, "m", 2, HfConvertTest.QUIET);
        try (GgufFile a = GgufFile.open(hf16); GgufFile b = GgufFile.open(shards16)) {
            for (var t : a.tensors())
                assertArrayEquals(t.data().toArray(ValueLayout.JAVA_BYTE), b.tensor(t.name()).data().toArray(ValueLayout.JAVA_BYTE), "F16 " + t.name());
        }
        double err = HfConvertTest.logitError(fromShards, ref);
        assertTrue(err <= 1e-4, "relative logit error " + err);
        assertArrayEquals(HfConvertTest.ints(ref.get("greedy")), HfConvertTest.greedy(fromShards, HfConvertTest.ints(ref.get("prompt")), 6));
        // in one pass to Q8_0: the merged rows go through the quantizer like any others
        Path q8 = dir.resolve("q8.gguf");
        HfToGguf.convert(meta2, q8, QuantType.Q8_0, "m", 2, HfConvertTest.QUIET);
        assertEquals(HfConvertTest.ints(ref.get("greedy"))[0], HfConvertTest.greedy(q8, HfConvertTest.ints(ref.get("prompt")), 1)[0]);
    }

    /** Each broken copy of the two-file checkpoint: the error's text, one line naming the problem. */
    @Test
    void brokenShardSetsAreOneLineErrors() throws Exception {
        reference().checkpoint("F16", 1, false, true, null, 2);
        Path meta2 = dir.resolve("meta2");
        Map<String, String> cases = Map.of(
                "missing-last", "1 consolidated.*.pth of 2",
                "gap", "consolidated.01.pth is missing",
                "foreign", "consolidated.01.pth: tensor",
                "truncated", "consolidated.01.pth: not a zip file",
                "lacks-tensor", "consolidated.01.pth: not a shard of the same checkpoint");
        for (var c : cases.entrySet()) {
            Path d = Files.createDirectories(dir.resolve(c.getKey()));
            for (String f : new String[] {"params.json", "tokenizer.model", "consolidated.00.pth", "consolidated.01.pth"})
                Files.copy(meta2.resolve(f), d.resolve(f));
            Path second = d.resolve("consolidated.01.pth");
            switch (c.getKey()) {
                case "missing-last" -> Files.delete(second);
                case "gap" -> Files.move(second, d.resolve("consolidated.02.pth"));
                case "foreign" -> Files.copy(dir.resolve("meta/consolidated.00.pth"), second, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                case "truncated" -> {
                    try (FileChannel ch = FileChannel.open(second, StandardOpenOption.WRITE)) {
                        ch.truncate(ch.size() / 2);
                    }
                }
                case "lacks-tensor" -> writeWithout(dir, second, "layers.1.ffn_norm.weight");
                default -> throw new IllegalStateException();
            }
            Path out = dir.resolve(c.getKey() + ".gguf");
            var e = assertThrows(CodellmException.class, () -> HfToGguf.convert(d, out, QuantType.F16, null, 1, HfConvertTest.QUIET), c.getKey());
            assertTrue(e.getMessage().contains(c.getValue()) && !e.getMessage().contains("\n"), c.getKey() + ": " + e.getMessage());
            assertTrue(!Files.exists(out), c.getKey());
        }
    }

    /** A copy of the shard {@code file} without one tensor, rewritten by torch.save. */
    static void writeWithout(Path dir, Path file, String tensor) throws Exception {
        Path script = dir.resolve("drop.py");
        Files.writeString(script, """
                import sys, torch
                d = torch.load(sys.argv[1])
                del d[sys.argv[2]]
                torch.save(d, sys.argv[1])
                """);
        NumpyReference.run(120, script.toString(), file.toString(), tensor);
    }

    /**
     * Pickles that run a command when a pickle-executing loader reads them (a GLOBAL of os.system
     * with REDUCE, protocol 0's INST, protocol 4's STACK_GLOBAL), and one cut short: each is refused
     * in one line naming what it found, and the command never runs.
     */
    @Test
    void hostilePicklesAreRefusedAndNothingRuns() throws Exception {
        Path marker = dir.resolve("pwned");
        Path script = NumpyReference.copyScript(dir, "convert/hostile_pth.py");
        Path cases = Files.createDirectories(dir.resolve("cases"));
        NumpyReference.run(60, script.toString(), cases.toString(), marker.toString());
        Map<String, String> want = Map.of(
                "global-system", "names posix.system",
                "inst", "opcode 0x69",
                "stack-global", "opcode 0x93",
                "truncated-pickle", "ends before its STOP opcode");
        try (Stream<Path> s = Files.list(cases)) {
            assertEquals(want.keySet(), s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
        for (var c : want.entrySet()) {
            Path out = dir.resolve(c.getKey() + ".gguf");
            var e = assertThrows(CodellmException.class, () -> HfToGguf.convert(cases.resolve(c.getKey()), out, QuantType.F16, null, 1, HfConvertTest.QUIET));
            assertTrue(e.getMessage().contains(c.getValue()) && e.getMessage().contains("consolidated.00.pth") && !e.getMessage().contains("\n"),
                    c.getKey() + ": " + e.getMessage());
            assertTrue(!Files.exists(out) && !Files.exists(marker), c.getKey());
        }
    }
}
