package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A KV cache that cannot be allocated: one line whose advice fits the type in use. */
class SessionMemoryTest {
    /** 2^28 positions: 64 GiB per layer in f16, more than any test JVM may allocate off-heap. */
    static final int HUGE = 1 << 28;

    @TempDir Path dir;

    /** Regression: the message told users already on f16 to "use --kv-type f16". */
    @Test
    void theOutOfMemoryLineSuggestsOnlyASmallerKvType() throws Exception {
        Path gguf = TinyModels.write(dir.resolve("tiny.gguf"), GgmlType.F32, false, 10000f, 1);
        try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 1)) {
            CodellmException f16 = assertThrows(CodellmException.class, () -> m.newSession(HUGE, KvType.F16));
            assertEquals("not enough memory for a KV cache of " + Session.bytes(m.config(), HUGE, KvType.F16) / (1 << 20)
                    + " MiB (context " + HUGE + ", f16): lower --ctx, --kv-type q8_0", f16.getMessage());
            CodellmException f32 = assertThrows(CodellmException.class, () -> m.newSession(HUGE, KvType.F32));
            assertEquals("not enough memory for a KV cache of " + Session.bytes(m.config(), HUGE, KvType.F32) / (1 << 20)
                    + " MiB (context " + HUGE + ", f32): lower --ctx, --kv-type q8_0", f32.getMessage());
            CodellmException q8 = assertThrows(CodellmException.class, () -> m.newSession(HUGE, KvType.Q8_0));
            assertEquals("not enough memory for a KV cache of " + Session.bytes(m.config(), HUGE, KvType.Q8_0) / (1 << 20)
                    + " MiB (context " + HUGE + ", q8_0): lower --ctx", q8.getMessage());
        }
    }

    @Test
    void theAdviceNamesParallelOnlyForSeveralSlots() {
        assertEquals("--ctx, --parallel, --kv-type q8_0", KvType.F32.memoryFlags(4, 128));
        assertEquals("--ctx, --parallel, --kv-type q8_0", KvType.F16.memoryFlags(2, 128));
        assertEquals("--ctx", KvType.Q8_0.memoryFlags(1, 128));
        assertEquals("--ctx", KvType.F16.memoryFlags(1, 8), "heads of 8 cannot take q8_0's blocks of 32");
        assertEquals("--ctx, --kv-type f16", KvType.F32.memoryFlags(1, 8));
    }
}
