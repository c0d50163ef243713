package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The generation loop on a scripted fake model: stops, limits, infill ids, streaming, usage. */
class LocalGeneratorTest {
    private final FakeCodec codec = new FakeCodec();

    private ScriptedModel model;

    private LocalGenerator generator(String script, int after, int ctx) {
        model = new ScriptedModel(FakeCodec.ids(script), after, codec.vocabSize(), ctx);
        return new LocalGenerator(codec, n -> model, new ModelInfo("fake", ctx, true, "llama2"),
                ChatTemplates.byName("llama2"), InfillFormat.PSM, null);
    }

    private static SamplingParams greedy(int max, String... stops) {
        return SamplingParams.GREEDY.withMaxTokens(max).withStop(List.of(stops));
    }

    @Test
    void completesUntilEosWithUsage() {
        List<String> pieces = new ArrayList<>();
        Completion c = generator("hello world", 2, 100).complete(CompletionRequest.of("hi", greedy(50)), t -> pieces.add(t));
        assertEquals("hello world", c.text());
        assertEquals(String.join("", pieces), c.text());
        assertEquals(FinishReason.STOP, c.finishReason());
        assertEquals(4, c.usage().promptTokens()); // BOS + " hi"
        assertEquals(11, c.usage().completionTokens());
        assertArrayEquals(new int[] {1, FakeCodec.id(' '), FakeCodec.id('h'), FakeCodec.id('i')}, model.starts.get(0));
    }

    @Test
    void stopStringSplitAcrossTokensIsNeverStreamed() {
        List<String> pieces = new ArrayList<>();
        Completion c = generator("abc\nde fg", 2, 100).complete(CompletionRequest.of("x", greedy(50, "\nde")), pieces::add);
        assertEquals("abc", c.text());
        assertEquals(FinishReason.STOP, c.finishReason());
        assertEquals("abc", String.join("", pieces));
        assertFalse(pieces.stream().anyMatch(p -> p.contains("\n")));
    }

    @Test
    void maxTokensEndsWithLengthWithoutAnExtraForward() {
        Completion c = generator("hello world", 2, 100).complete(CompletionRequest.of("x", greedy(5)), t -> true);
        assertEquals("hello", c.text());
        assertEquals(FinishReason.LENGTH, c.finishReason());
        assertEquals(5, c.usage().completionTokens());
        assertEquals(4, model.generatedFed);
    }

    @Test
    void fullContextEndsWithLength() {
        // prompt = BOS + " x" = 3 tokens; a context of 6 leaves room for 3 generated tokens
        Completion c = generator("hello world", 2, 6).complete(CompletionRequest.of("x", greedy(50)), t -> true);
        assertEquals("hel", c.text());
        assertEquals(FinishReason.LENGTH, c.finishReason());
    }

    @Test
    void promptLongerThanContextIsAClearError() {
        var e = assertThrows(CodellmException.class,
                () -> generator("a", 2, 4).complete(CompletionRequest.of("abcdef", greedy(5)), t -> true));
        assertEquals("prompt is 8 tokens but the context holds 4 (use a larger --ctx or a shorter prompt)", e.getMessage());
    }

    @Test
    void sinkRefusalCancels() {
        int[] calls = {0};
        Completion c = generator("hello world", 2, 100).complete(CompletionRequest.of("x", greedy(50)), t -> ++calls[0] < 3);
        assertEquals(FinishReason.CANCELLED, c.finishReason());
        assertEquals("hel", c.text());
    }

    @Test
    void infillUsesCodeLlamaIdsAndStopsAtEot() {
        LocalGenerator g = generator("mid", 6 /* EOT */, 100);
        Completion c = g.complete(new CompletionRequest("ab", "cd", greedy(50)), t -> true);
        assertEquals("mid", c.text());
        assertEquals(FinishReason.STOP, c.finishReason());
        int sp = FakeCodec.id(' ');
        // [BOS, PRE] + encode("ab") (dummy space) + [SUF] + encode_infilling("cd") (no space) + [MID]
        assertArrayEquals(new int[] {1, 3, sp, FakeCodec.id('a'), FakeCodec.id('b'), 4, FakeCodec.id('c'), FakeCodec.id('d'), 5},
                model.starts.get(0));
    }

    @Test
    void chatAnswerLosesTheDummySpaceLikeSentencePieceDecode() {
        Completion c = generator(" sure", 2, 200).chat(ChatRequest.of(List.of(ChatMessage.user("q")), greedy(50)), t -> true);
        assertEquals("sure", c.text());
        Completion primed = generator(" x", 2, 200).chat(new ChatRequest(List.of(ChatMessage.user("q"), ChatMessage.assistant("a")), greedy(50)), t -> true);
        assertEquals(" x", primed.text());
    }

    @Test
    void zeroMaxTokensRunsNothing() {
        Completion c = generator("abc", 2, 100).complete(CompletionRequest.of("x", greedy(0)), t -> true);
        assertEquals("", c.text());
        assertEquals(FinishReason.LENGTH, c.finishReason());
        assertEquals(0, model.starts.size());
    }

    @Test
    void generatedIdsExcludeTheStopToken() {
        LocalGenerator g = generator("ab", 2, 100);
        GenerationState s = g.generate(new int[] {1, 9}, greedy(10), t -> true);
        assertArrayEquals(IntStream.of(FakeCodec.ids("ab")).toArray(), s.generatedIds());
    }
}
