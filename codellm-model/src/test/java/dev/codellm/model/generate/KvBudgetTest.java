package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.model.llama.ModelShape;
import dev.codellm.model.llama.RopeScaling;
import dev.codellm.model.llama.Session;
import dev.codellm.model.llama.SyntheticGguf;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The context default (the model's trained length, no cap) and the KV memory check: what fits is
 * kept, a default that does not fit is lowered to the largest multiple of 256 that does with one
 * line saying so, an explicit --ctx that does not fit is refused with that line; slots multiply.
 */
class KvBudgetTest {
    /** CodeLlama-7B: 32 layers, kv dim 4096: 0.5 MiB of f16 KV per token, 8 GiB at 16k. */
    static final LlamaConfig CL7B = new LlamaConfig(4096, 32, 32, 32, 11008, 32016, 16384, 1e-5f, 1e6f, 128, RopeScaling.NONE, false);
    static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty(KvBudget.AVAILABLE_PROPERTY);
    }

    @Test
    void kvBytesAreLayersTimesKvDimTimesTwoTimesPositionsTimesElementSize() {
        assertEquals(8 * GIB, Session.bytes(CL7B, 16384, KvType.F16));
        assertEquals(16 * GIB, Session.bytes(CL7B, 16384, KvType.F32));
    }

    @Test
    void whatFitsIsKept() {
        var d = KvBudget.decide(CL7B, KvType.F16, 16384, 0, 1, 64 * GIB);
        assertEquals(16384, d.contextLength());
        assertNull(d.note());
        assertEquals(100_000, KvBudget.decide(CL7B, KvType.F16, 16384, 100_000, 1, 64 * GIB).contextLength());
    }

    @Test
    void aDefaultThatDoesNotFitIsLoweredWithOneLine() {
        var d = KvBudget.decide(CL7B, KvType.F16, 16384, 0, 1, 5 * GIB);
        // 90 % of 5 GiB = 4.5 GiB = 9216 tokens of 0.5 MiB
        assertEquals(9216, d.contextLength());
        assertTrue(d.note().startsWith("context 16384 (the model's trained length) needs 8.0 GiB of KV cache (f16, 1 slot) but 5.0 GiB"), d.note());
        assertTrue(d.note().endsWith("using context 9216 (change with --ctx, --kv-type q8_0)"), d.note());
        assertTrue(!d.note().contains("\n"));
        var four = KvBudget.decide(CL7B, KvType.F16, 16384, 0, 4, 5 * GIB);
        assertEquals(2304, four.contextLength(), "four slots share the memory");
        assertTrue(four.note().contains("4 slots") && four.note().contains("--parallel"), four.note());
        assertTrue(KvBudget.decide(CL7B, KvType.F32, 16384, 0, 1, 5 * GIB).note().contains("--kv-type q8_0"));
        var q8 = KvBudget.decide(CL7B, KvType.Q8_0, 16384, 0, 1, 5 * GIB);
        assertEquals(16384, q8.contextLength(), "q8_0's 4.25 GiB fits in 4.5: " + q8.note());
    }

    @Test
    void anExplicitContextThatDoesNotFitIsRefused() {
        var e = assertThrows(CodellmException.class, () -> KvBudget.decide(CL7B, KvType.F16, 16384, 100_000, 1, 16 * GIB));
        assertEquals("context 100000 (--ctx) needs 48.8 GiB of KV cache (f16, 1 slot) but 16.0 GiB of memory is free; at most 29440 fits: lower --ctx, --kv-type q8_0",
                e.getMessage());
        assertThrows(CodellmException.class, () -> KvBudget.decide(CL7B, KvType.F16, 16384, 0, 1, 1 << 20), "not even 16 tokens fit");
    }

    @Test
    void theEngineDefaultsToTheTrainedLengthAndChecksBeforeAllocating() {
        Path gguf = dir.resolve("tiny.gguf");
        SyntheticGguf.write(gguf, ModelShape.TINY, GgmlType.Q8_0, 1, 3);  // context_length 16384
        try (LocalGenerator g = LocalGenerator.open(gguf, GeneratorOptions.DEFAULT)) {
            assertEquals(16384, g.info().contextLength(), "no 4096 cap");
        }
        // tiny: 1 layer, kv dim 128: 512 bytes of f16 KV per token
        System.setProperty(KvBudget.AVAILABLE_PROPERTY, Long.toString(4L << 20));
        try (LocalGenerator g = LocalGenerator.open(gguf, GeneratorOptions.DEFAULT)) {
            assertEquals(7168, g.info().contextLength());
        }
        var e = assertThrows(CodellmException.class, () -> LocalGenerator.open(gguf, new GeneratorOptions(16384, "f16", null, null, 0)));
        assertTrue(e.getMessage().startsWith("context 16384 (--ctx) needs 8 MiB of KV cache"), e.getMessage());
    }
}
