package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.CompletionCreateParams;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.TokenSink;
import dev.codellm.core.Usage;
import org.junit.jupiter.api.Test;

/** Any core {@link Generator} served one request at a time, driven by the SDK. */
class GeneratorServiceTest {
    /** Streams the prompt back reversed, word by word, with honest token counts (one per word). */
    static final class ReversingGenerator implements Generator {
        @Override public ModelInfo info() { return new ModelInfo("reverser", 1000, false, null); }

        @Override
        public Completion complete(CompletionRequest r, TokenSink sink) {
            return reverse(r.prompt(), r.sampling().maxTokens(), sink);
        }

        @Override
        public Completion chat(ChatRequest r, TokenSink sink) {
            return reverse(r.messages().getLast().content(), r.sampling().maxTokens(), sink);
        }

        private static Completion reverse(String prompt, int max, TokenSink sink) {
            String[] words = prompt.split(" ");
            StringBuilder out = new StringBuilder();
            int n = 0;
            for (int i = words.length - 1; i >= 0; i--) {
                if (n == max) return new Completion(out.toString(), FinishReason.LENGTH, new Usage(words.length, n));
                String piece = (n == 0 ? "" : " ") + words[i];
                out.append(piece);
                n++;
                if (!sink.accept(piece)) return new Completion(out.toString(), FinishReason.CANCELLED, new Usage(words.length, n));
            }
            return new Completion(out.toString(), FinishReason.STOP, new Usage(words.length, n));
        }
    }

    @Test
    void completionsAndChatStreamsThroughAGenerator() {
        Metrics metrics = new Metrics();
        try (TestServer server = new TestServer(new GeneratorService(new ReversingGenerator(), 4, metrics), ServerOptions.defaults(), metrics)) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.base + "/v1").apiKey("none").maxRetries(0).build();
            try {
                var c = client.completions().create(CompletionCreateParams.builder().model("reverser").prompt("one two three").maxTokens(10).build());
                assertEquals("three two one", c.choices().get(0).text());
                assertEquals(3, c.usage().orElseThrow().promptTokens());
                assertEquals(3, c.usage().orElseThrow().completionTokens());

                var limited = client.completions().create(CompletionCreateParams.builder().model("reverser").prompt("a b c d").maxTokens(2).build());
                assertEquals("d c", limited.choices().get(0).text());

                StringBuilder text = new StringBuilder();
                try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                        ChatCompletionCreateParams.builder().model("reverser").addUserMessage("x y z").build())) {
                    s.stream().forEach(ch -> ch.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
                }
                assertEquals("z y x", text.toString());
            } finally {
                client.close();
            }
        }
    }
}
