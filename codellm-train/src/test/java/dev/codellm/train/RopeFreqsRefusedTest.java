package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.llama.LlamaConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A llama3-scaled base (rope_freqs tensor) is refused by the trainer, whose RoPE would ignore the divisors. */
class RopeFreqsRefusedTest {
    @TempDir Path dir;

    @Test
    void aBaseWithRopeFreqsIsAOneLineError() throws Exception {
        Path base = SharedData.require("models/stories260K/stories260K.gguf"), scaled = dir.resolve("scaled.gguf");
        try (GgufFile f = GgufFile.open(base)) {
            int half = LlamaConfig.fromGguf(f).ropeDim() / 2;
            GgufWriter w = new GgufWriter().putAll(f);
            for (GgufTensor t : f.tensors()) w.addTensor(t);
            float[] ff = new float[half];
            java.util.Arrays.fill(ff, 8f);
            w.addTensor("rope_freqs.weight", GgmlType.F32, new long[] {half}, ff);
            w.write(scaled);
        }
        try (GgufFile g = GgufFile.open(scaled)) {
            CodellmException e = assertThrows(CodellmException.class, () -> ModelGguf.load(g));
            assertTrue(e.getMessage().contains("rope_freqs") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
