package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.llama.ModelShape;
import dev.codellm.model.llama.SyntheticGguf;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Infill through the whole stack on a random-weight model with Code Llama's 32016-token vocabulary
 * (written by the engine's SyntheticGguf): the FIM prompt frame, SPM vs PSM, and reproducibility.
 * The ids of the encoded texts are checked against the SentencePiece reference in
 * {@link CodeLlamaPromptIdsTest}; here the point is that the real GGUF path wires them up.
 */
class SyntheticCodeLlamaInfillTest {
    @Test
    void infillAndChatRunOnACodeLlamaVocabularyModel(@TempDir Path tmp) {
        Path gguf = tmp.resolve("tiny-codellama.gguf");
        SyntheticGguf.write(gguf, ModelShape.TINY, GgmlType.Q8_0, 1, 42);
        SamplingParams greedy = SamplingParams.GREEDY.withMaxTokens(12);
        try (LocalGenerator psm = LocalGenerator.open(gguf, new GeneratorOptions(256, "f16", null, InfillFormat.PSM, 1));
             LocalGenerator spm = LocalGenerator.open(gguf, new GeneratorOptions(256, "f16", null, InfillFormat.SPM, 1))) {
            assertTrue(psm.info().supportsInfill());
            assertEquals("llama2", psm.info().chatTemplate());
            CompletionRequest req = new CompletionRequest("def add(a, b):", "\n    return c\n", greedy);
            int[] ids = psm.promptIds(req);
            // "▁def", "▁add", "(", "a", ",", "▁b", "):" — the prefix with its dummy space
            int[] prefix = {822, 788, 29898, 29874, 29892, 289, 1125};
            // "\n", "▁▁▁", "▁return", "▁c", "\n" — the suffix without one
            int[] suffix = {13, 1678, 736, 274, 13};
            assertArrayEquals(concat(new int[] {1, 32007}, prefix, new int[] {32008}, suffix, new int[] {32009}), ids);
            assertArrayEquals(concat(new int[] {1, 32007, 32008}, suffix, new int[] {32009}, prefix), spm.promptIds(req));

            Completion a = psm.complete(req, t -> true);
            Completion b = psm.complete(req, t -> true);
            assertEquals(a, b); // greedy, and the reused KV-cache prefix changes nothing
            assertEquals(ids.length, a.usage().promptTokens());
            assertTrue(a.usage().completionTokens() > 0);

            Completion chat = psm.chat(ChatRequest.of(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Add two numbers.")), greedy), t -> true);
            assertTrue(chat.usage().promptTokens() > 10);
        }
    }

    private static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
