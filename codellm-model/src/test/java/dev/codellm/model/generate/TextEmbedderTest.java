package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.tokenizer.Tokenizer;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Embeddings equal llama-server's ({@code --embeddings --pooling mean}, llama.cpp c392e50) on
 * stories260K: the reference vectors were recorded from that server (command in the JSON file),
 * a separate implementation of the forward pass, pooling and normalisation.
 */
class TextEmbedderTest {
    @Test
    void meanPooledNormalisedHiddenStatesMatchLlamaServer() throws Exception {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/embeddings/stories260K-llama-server.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"));
             LlamaModel model = LlamaModel.load(f, 1)) {
            TextEmbedder embedder = new TextEmbedder(model, Tokenizer.fromGguf(f), 256, KvType.F32);
            assertEquals(64, embedder.dimension());
            int promptTokens = 0;
            for (int i = 0; i < ref.get("inputs").size(); i++) {
                int[] tokens = embedder.tokens(ref.get("inputs").get(i).asText());
                promptTokens += tokens.length;
                float[] ours = embedder.embed(tokens);
                JsonNode theirs = ref.get("embeddings").get(i);
                double dot = 0, norm = 0, maxDiff = 0;
                for (int j = 0; j < ours.length; j++) {
                    double t = theirs.get(j).asDouble();
                    dot += ours[j] * t;
                    norm += ours[j] * ours[j];
                    maxDiff = Math.max(maxDiff, Math.abs(ours[j] - t));
                }
                assertEquals(1.0, norm, 1e-5, "unit length");
                // llama-server keeps its KV cache in f16 (ours f32 here): agreement to a few 1e-4, not bit-exact
                assertTrue(maxDiff < 5e-4, "input " + i + ": max |ours - llama.cpp| = " + maxDiff);
                assertTrue(dot > 0.99999, "cosine " + dot);
            }
            assertEquals(ref.get("prompt_tokens").asInt(), promptTokens, "tokenized as llama-server (BOS + text)");
            // the same input twice gives the same vector (the cache is reset between inputs)
            int[] t = embedder.tokens("Lily");
            assertArrayEquals(embedder.embed(t), embedder.embed(t));
        }
    }
}
