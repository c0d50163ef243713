package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.inspect.GgufSummary;
import dev.codellm.model.tokenizer.Tokenizer;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DeepSeek-Coder's end tokens on its real vocabulary, as llama.cpp settles them (src/llama-vocab.cpp):
 * the metadata names EOS 32014 and no EOT; {@code <｜end▁of▁sentence｜>} (32014) is on llama.cpp's
 * EOT text list and {@code <|EOT|>} (32021) on none, so EOT is 32014 and the only token that ends
 * generation is 32014. The tokenizer, {@code inspect}'s summary and every generation mode must agree;
 * chat with DeepSeek-Coder's instruct template also stops at {@code <|EOT|>}, where its answers end.
 */
class DeepseekCoderEndOfTurnTest {
    static final int END_OF_SENTENCE = 32014, EOT_TEXT = 32021;
    static Tokenizer tokenizer;
    static GgufSummary summary;

    @BeforeAll
    static void load() {
        try (GgufFile f = GgufFile.open(SharedData.require("vocab/ggml-vocab-deepseek-coder.gguf"))) {
            tokenizer = Tokenizer.fromGguf(f);
            summary = GgufSummary.of(f);
        }
        assertEquals("<|EOT|>", tokenizer.tokenText(EOT_TEXT));
        assertEquals("<｜end▁of▁sentence｜>", tokenizer.tokenText(END_OF_SENTENCE));
    }

    @Test
    void tokenizerAndInspectSettleEotAsLlamaCppDoes() {
        assertEquals(OptionalInt.of(END_OF_SENTENCE), tokenizer.eot());
        assertEquals(OptionalInt.of(END_OF_SENTENCE), tokenizer.eos());
        List<Integer> endOfGeneration = IntStream.range(0, tokenizer.vocabSize()).filter(tokenizer::isEndOfGeneration).boxed().toList();
        assertEquals(List.of(END_OF_SENTENCE), endOfGeneration);

        GgufSummary.SpecialToken eot = summary.specialTokens().stream().filter(t -> t.role().equals("EOT")).findFirst().orElseThrow();
        assertEquals(new GgufSummary.SpecialToken("EOT", END_OF_SENTENCE, "<｜end▁of▁sentence｜>", "token text"), eot);
        assertEquals(endOfGeneration, summary.endOfGeneration());
        for (GgufSummary.SpecialToken t : summary.specialTokens()) // every role inspect shows is the tokenizer's
            assertEquals(OptionalInt.of(t.id()), tokenizer.specialId(t.role().toLowerCase(java.util.Locale.ROOT)), t.toString());
    }

    private static LocalGenerator generator(int... script) {
        ScriptedModel model = new ScriptedModel(script, END_OF_SENTENCE, tokenizer.vocabSize(), 512);
        return new LocalGenerator(new TokenizerCodec(tokenizer), n -> model, new ModelInfo("deepseek-coder", 512, true, "deepseek-coder"),
                ChatTemplates.byName("deepseek-coder"), InfillFormat.PSM, null);
    }

    private static final SamplingParams GREEDY = SamplingParams.GREEDY.withMaxTokens(20);

    @Test
    void completionAndInfillRunThroughEotTextAndStopAtEndOfSentence() {
        int x = tokenizer.encode("x")[0];
        Completion c = generator(x, EOT_TEXT, x).complete(CompletionRequest.of("def f():", GREEDY), t -> true);
        assertEquals(FinishReason.STOP, c.finishReason());
        assertEquals(3, c.usage().completionTokens()); // 32021 is text here, as in llama.cpp: only 32014 ends it
        assertEquals("x<|EOT|>x", c.text());

        Completion infill = generator(x, EOT_TEXT).complete(new CompletionRequest("def f(", "):", GREEDY), t -> true);
        assertEquals(FinishReason.STOP, infill.finishReason());
        assertEquals("x<|EOT|>", infill.text());
    }

    @Test
    void chatStopsAtTheInstructTemplatesEot() {
        int x = tokenizer.encode("x")[0];
        Completion c = generator(x, EOT_TEXT, x).chat(ChatRequest.of(List.of(ChatMessage.user("hi")), GREEDY), t -> true);
        assertEquals(FinishReason.STOP, c.finishReason());
        assertEquals("x", c.text());
        assertFalse(c.text().contains("<|EOT|>"));
    }
}
