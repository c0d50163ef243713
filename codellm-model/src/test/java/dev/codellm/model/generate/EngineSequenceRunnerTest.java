package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import org.junit.jupiter.api.Test;

/**
 * Reusing the cached prefix of the previous prompt gives the same logits as starting afresh (to
 * 1e-4, the engine's parity tolerance: batched and one-token passes sum in different orders).
 */
class EngineSequenceRunnerTest {
    @Test
    void sharedPrefixIsReusedAndLogitsMatchAFreshSequence() {
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"));
             LlamaModel model = LlamaModel.load(f, 1)) {
            int[] first = {1, 403, 407, 261, 378};          // "Once upon a time"
            int[] second = {1, 403, 407, 261, 378, 29, 350}; // same start, then diverges from what was generated
            EngineSequenceRunner seq = new EngineSequenceRunner(new KvCachePool(model, 64, KvType.F32));
            seq.start(first);
            seq.append(29);
            seq.append(500); // generated tokens: 29 is shared with the next prompt, 500 is not
            float[] reused = seq.start(second);
            assertEquals(6, seq.reusedByLastStart);

            float[] fresh = new EngineSequenceRunner(new KvCachePool(model, 64, KvType.F32)).start(second);
            assertArrayEquals(fresh, reused, 1e-4f);

            // the same prompt again: everything but the last token comes from the cache
            float[] again = seq.start(second);
            assertEquals(second.length - 1, seq.reusedByLastStart);
            assertArrayEquals(fresh, again, 1e-4f);
        }
    }
}
