package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.kernels.UseKernels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --rope-freq-base / --rope-scaling / --rope-scale / --yarn-orig-ctx reach the forward pass: a file
 * run with overrides gives bit-identical logits to a file that carries those settings in its
 * metadata (whose forward pass LongContextForwardTest checks against numpy), and different ones
 * from the file run as it is.
 */
@UseKernels(UseKernels.Path.JAVA)
class RopeOverridesTest {
    @TempDir
    Path dir;

    float[][] logits(Path gguf, RopeOverrides rope, int[] prompt) {
        try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 1, rope)) {
            return m.forwardAll(m.newSession(prompt.length, KvType.F32), prompt);
        }
    }

    Path file(String name, float theta, String type, float factor, int orig) {
        return TinyModels.write(dir.resolve(name), GgmlType.F32, false, theta, 5, LongContextForwardTest.MICRO, w -> {
            w.putUInt32("llama.context_length", 2048);
            if (type != null) {
                w.putString("llama.rope.scaling.type", type);
                w.putFloat32("llama.rope.scaling.factor", factor);
                if (orig > 0) w.putUInt32("llama.rope.scaling.original_context_length", orig);
            }
        });
    }

    @Test
    void overridesEqualTheSameSettingsInTheFile() {
        int[] prompt = new SplittableRandom(1).ints(600, 0, LongContextForwardTest.MICRO.vocab()).toArray();
        Path plain = file("plain.gguf", 1e6f, null, 1, 0);
        float[][] asIs = logits(plain, RopeOverrides.NONE, prompt);

        float[][] yarnFlags = logits(plain, new RopeOverrides(null, RopeScaling.Type.YARN, 4f, 512), prompt);
        assertArrayEquals(logits(file("yarn.gguf", 1e6f, "yarn", 4, 512), RopeOverrides.NONE, prompt), yarnFlags);

        float[][] baseFlag = logits(plain, new RopeOverrides(10000f, null, null, null), prompt);
        assertArrayEquals(logits(file("theta.gguf", 10000f, null, 1, 0), RopeOverrides.NONE, prompt), baseFlag);

        // --rope-scale alone on a model without scaling is linear, as llama.cpp's freq_scale
        float[][] scaleFlag = logits(plain, new RopeOverrides(null, null, 2f, null), prompt);
        assertArrayEquals(logits(file("linear.gguf", 1e6f, "linear", 2, 0), RopeOverrides.NONE, prompt), scaleFlag);

        // --rope-scaling none switches the file's scaling off
        float[][] off = logits(file("yarn.gguf", 1e6f, "yarn", 4, 512), new RopeOverrides(null, RopeScaling.Type.NONE, null, null), prompt);
        assertArrayEquals(asIs, off);

        for (float[][] other : new float[][][] {yarnFlags, baseFlag, scaleFlag}) {
            assertTrue(!Arrays.equals(asIs[599], other[599]), "an override changes the logits");
        }
    }

    @Test
    void describeAndBadValues() {
        LlamaConfig c = new LlamaConfig(4096, 1, 32, 32, 11008, 32016, 16384, 1e-5f, 1e6f, 128, RopeScaling.NONE, false);
        assertEquals("freq_base 1000000, scaling none", RopeOverrides.describe(c));
        assertEquals("freq_base 1000000, scaling yarn x4.0 from 16384",
                RopeOverrides.describe(new RopeOverrides(null, RopeScaling.Type.YARN, 4f, null).apply(c)));
        assertThrows(CodellmException.class, () -> RopeOverrides.parseScaling("ntk"));
        assertThrows(CodellmException.class, () -> new RopeOverrides(-1f, null, null, null));
    }
}
