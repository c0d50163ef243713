package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.core.SamplingParams;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.Session;
import dev.codellm.model.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * Temperature + top-p sampling checked against llama2.c itself: with run.c's random numbers
 * replayed (its xorshift generator, seed 133742), our sampler must pick the same tokens as run.c's
 * {@code sample_topp}, so the story equals the golden {@code run stories260K.bin -t 1.0 -p 0.9 -s 133742}.
 */
class Llama2cSamplingReplayTest {
    /** run.c's {@code random_f32}: xorshift64* then the top 24 bits as a float in [0, 1). */
    static final class Llama2cRandom implements DoubleSupplier {
        private long state;

        Llama2cRandom(long seed) { state = seed; }

        int nextU32() {
            state ^= state >>> 12;
            state ^= state << 25;
            state ^= state >>> 27;
            return (int) ((state * 0x2545F4914F6CDD1DL) >>> 32);
        }

        @Override
        public double getAsDouble() {
            return (nextU32() >>> 8) / 16777216.0f;
        }
    }

    @Test
    void topPSamplingWithLlama2cRandomNumbersReproducesItsStory() throws Exception {
        Path dir = SharedData.require("models/stories260K");
        String golden = Files.readString(dir.resolve("golden/t1.0_p0.9_s133742.txt"));
        try (GgufFile f = GgufFile.open(dir.resolve("stories260K.gguf")); LlamaModel model = LlamaModel.load(f, 1)) {
            Tokenizer tok = Tokenizer.fromGguf(f);
            Sampler sampler = new Sampler(SamplingParams.GREEDY.withTemperature(1.0).withTopP(0.9), new Llama2cRandom(133742L));
            Session s = model.newSession(256, KvType.F32);
            var decoder = tok.streamingDecoder();
            StringBuilder text = new StringBuilder();
            int token = 1; // run.c with no prompt starts from BOS and samples at every one of its 256 steps
            for (int pos = 0; pos < 256; pos++) {
                float[] logits = model.forward(s, new int[] {token});
                token = sampler.sample(logits, null);
                if (token == 1) break; // run.c stops when the model starts a new story (BOS)
                text.append(decoder.accept(token));
            }
            // after BOS, run.c prints the first piece without its leading space
            assertEquals(golden, text.substring(1) + "\n");
        }
    }
}
