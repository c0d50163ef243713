package dev.codellm.data.ossinstruct;

import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.TokenSink;
import dev.codellm.core.Usage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A deterministic teacher: the answer is a function of the seed snippet found in the prompt.
 * Counts calls per seed and can fail the first call of a seed (to exercise retries).
 */
final class FakeTeacher implements Generator {
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final AtomicInteger total = new AtomicInteger();
    private final Function<String, String> answer;
    private final boolean failFirstCall;

    FakeTeacher(Function<String, String> answerForSnippet, boolean failFirstCall) {
        this.answer = answerForSnippet;
        this.failFirstCall = failFirstCall;
    }

    static String snippet(String prompt) {
        int a = prompt.indexOf("```\n") + 4;
        return prompt.substring(a, prompt.indexOf("\n```", a));
    }

    @Override public ModelInfo info() { return new ModelInfo("fake-teacher", 4096, false, null); }

    @Override
    public Completion complete(CompletionRequest request, TokenSink sink) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Completion chat(ChatRequest request, TokenSink sink) {
        String user = request.messages().get(request.messages().size() - 1).content();
        String snip = snippet(user);
        int n = calls.computeIfAbsent(snip, k -> new AtomicInteger()).incrementAndGet();
        total.incrementAndGet();
        if (failFirstCall && n == 1) throw new CodellmException("endpoint returned HTTP 503 (simulated)");
        String text = answer.apply(snip);
        return new Completion(text, FinishReason.STOP, new Usage(user.length() / 4, text.length() / 4));
    }
}
