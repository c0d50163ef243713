package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files and calls the engine must refuse with a message naming the problem. */
class EngineBadInputTest {
    @TempDir
    Path dir;

    static String message(Runnable r) {
        return assertThrows(CodellmException.class, r::run).getMessage();
    }

    @Test
    void vocabOnlyFileIsRefused() {
        try (GgufFile f = GgufFile.open(SharedData.require("vocab/ggml-vocab-llama-spm.gguf"))) {
            assertTrue(message(() -> LlamaModel.load(f, 1)).contains("vocab-only"));
        }
    }

    @Test
    void otherArchitectureIsRefused() {
        Path p = dir.resolve("gpt2.gguf");
        new GgufWriter().putString("general.architecture", "gpt2")
                .addTensor("x", GgmlType.F32, new long[] {4}, new float[4]).write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertTrue(message(() -> LlamaModel.load(f, 1)).contains("unsupported architecture 'gpt2'"));
        }
    }

    @Test
    void missingTensorAndUnsupportedTypeAreNamed() {
        Path full = TinyModels.write(dir.resolve("tiny.gguf"), GgmlType.Q4_0, false, 1e4f, 1);
        Path broken = dir.resolve("broken.gguf");
        Path q41 = dir.resolve("q41.gguf");
        try (GgufFile f = GgufFile.open(full)) {
            GgufWriter w = new GgufWriter().putAll(f);
            GgufWriter w2 = new GgufWriter().putAll(f);
            f.tensors().forEach(t -> {
                if (!t.name().equals("blk.1.ffn_up.weight")) w.addTensor(t);
                if (t.name().equals("blk.0.attn_q.weight")) {
                    w2.addTensor(t.name(), GgmlType.Q4_1, t.shape(), new float[(int) t.elementCount()]);
                } else {
                    w2.addTensor(t);
                }
            });
            w.write(broken);
            w2.write(q41);
        }
        try (GgufFile f = GgufFile.open(broken)) {
            assertTrue(message(() -> LlamaModel.load(f, 1)).contains("blk.1.ffn_up.weight"));
        }
        try (GgufFile f = GgufFile.open(q41)) {
            String m = message(() -> LlamaModel.load(f, 1));
            assertTrue(m.contains("blk.0.attn_q.weight") && m.contains("Q4_1"), m);
        }
    }

    @Test
    void promptLongerThanContextAndBadTokensAreRefused() {
        Path p = TinyModels.write(dir.resolve("tiny.gguf"), GgmlType.Q8_0, true, 1e4f, 2);
        try (GgufFile f = GgufFile.open(p); LlamaModel m = LlamaModel.load(f, 1)) {
            Session s = m.newSession(8, KvType.F16);
            assertTrue(message(() -> m.forward(s, new int[9])).contains("exceeds the context length 8"));
            assertTrue(message(() -> m.forward(s, new int[] {TinyModels.VOCAB})).contains("outside the vocabulary"));
            m.forward(s, new int[8]);
            assertTrue(message(() -> m.decodeBatch(new Session[] {s}, new int[] {1})).contains("context full"));
        }
    }
}
