package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.errors.BadRequestException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.codellm.core.ChatMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official openai-java SDK against the real server (fake model behind it). */
class OpenAiSdkTest {
    static final String KEY = "sk-test-123";
    static FakeBatchBackend model;
    static TestServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        model = new FakeBatchBackend(1024, 0, 0);
        server = TestServer.withFake(model, 4, 16, ServerOptions.defaults().withApiKey(KEY));
        client = OpenAIOkHttpClient.builder().baseUrl(server.base + "/v1").apiKey(KEY).maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void embeddingsOfSeveralInputsWithUsage() {
        var params = EmbeddingCreateParams.builder().model("text-embedding-3-small")
                .inputOfArrayOfStrings(List.of("def f(): pass", "class A: ...")).build();
        CreateEmbeddingResponse r = client.embeddings().create(params);
        assertEquals(2, r.data().size());
        for (int i = 0; i < 2; i++) {
            int[] tokens = FakeBatchBackend.bytes(i == 0 ? "def f(): pass" : "class A: ...", true);
            float[] want = FakeBatchBackend.embedding(tokens);
            List<Float> got = r.data().get(i).embedding();
            assertEquals(i, r.data().get(i).index());
            assertEquals(want.length, got.size());
            for (int j = 0; j < want.length; j++) assertEquals(want[j], got.get(j), 1e-6, "input " + i + " dim " + j);
        }
        assertEquals(14 + 13, r.usage().promptTokens());
        assertEquals("text-embedding-3-small", r.model());
        // the SDK's base64 form decodes to the same floats
        var b64 = client.embeddings().create(EmbeddingCreateParams.builder().model("m").input("def f(): pass")
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build());
        float[] want = FakeBatchBackend.embedding(FakeBatchBackend.bytes("def f(): pass", true));
        for (int j = 0; j < want.length; j++) assertEquals(want[j], b64.data().get(0).embedding().get(j), 1e-6);
    }

    @Test
    void embeddingsOfAnEmptyInputAreA400() {
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.embeddings().create(
                EmbeddingCreateParams.builder().model("m").input("").build()));
        assertEquals(400, e.statusCode());
    }

    @Test
    void listsTheServedModel() {
        List<Model> models = client.models().list().data();
        assertEquals(1, models.size());
        assertEquals("fake-model", models.get(0).id());
    }

    @Test
    void completionReturnsTheModelsTextAndUsage() {
        String prompt = "def add(a, b):";
        Completion c = client.completions().create(CompletionCreateParams.builder()
                .model("fake-model").prompt(prompt).maxTokens(200).temperature(0.0).build());
        int[] promptIds = model.completionPrompt(prompt);
        String expected = FakeBatchBackend.answer(promptIds);
        assertEquals(1, c.choices().size());
        assertEquals(expected, c.choices().get(0).text());
        assertEquals(CompletionChoice.FinishReason.STOP, c.choices().get(0).finishReason());
        var usage = c.usage().orElseThrow();
        assertEquals(promptIds.length, usage.promptTokens());
        assertEquals(utf8(expected), usage.completionTokens());
        assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());
        assertEquals("text_completion", c._object_().asString().orElseThrow());
    }

    @Test
    void completionHonoursMaxTokensStopEchoAndN() {
        String prompt = "x = ";
        String answer = FakeBatchBackend.answer(model.completionPrompt(prompt));
        Completion limited = client.completions().create(CompletionCreateParams.builder()
                .model("fake-model").prompt(prompt).maxTokens(4).build());
        assertEquals(answer.substring(0, 4), limited.choices().get(0).text());
        assertEquals(CompletionChoice.FinishReason.LENGTH, limited.choices().get(0).finishReason());

        Completion stopped = client.completions().create(CompletionCreateParams.builder()
                .model("fake-model").prompt(prompt).maxTokens(100).stop(",").echo(true).n(2).build());
        assertEquals(2, stopped.choices().size());
        for (int i = 0; i < 2; i++) {
            assertEquals(i, stopped.choices().get(i).index());
            assertEquals(prompt + answer.substring(0, answer.indexOf(',')), stopped.choices().get(i).text());
            assertEquals(CompletionChoice.FinishReason.STOP, stopped.choices().get(i).finishReason());
        }
        var usage = stopped.usage().orElseThrow();
        assertEquals(model.completionPrompt(prompt).length, usage.promptTokens(), "prompt counted once for n=2");
        assertEquals(2L * (utf8(answer.substring(0, answer.indexOf(','))) + 1), usage.completionTokens(), "the stop token itself was generated");
    }

    @Test
    void promptArraysGiveOneChoicePerPrompt() {
        List<String> prompts = List.of("first", "second one", "third");
        Completion c = client.completions().create(CompletionCreateParams.builder()
                .model("fake-model").promptOfArrayOfStrings(prompts).maxTokens(100).build());
        assertEquals(3, c.choices().size());
        for (int i = 0; i < 3; i++) {
            assertEquals(FakeBatchBackend.answer(model.completionPrompt(prompts.get(i))), c.choices().get(i).text());
        }
    }

    @Test
    void infillThroughSuffixUsesTheFimPrompt() {
        Completion c = client.completions().create(CompletionCreateParams.builder()
                .model("fake-model").prompt("def f():\n    ").suffix("\n    return x").maxTokens(100).build());
        assertEquals(FakeBatchBackend.answer(model.infillPrompt("def f():\n    ", "\n    return x")), c.choices().get(0).text());
    }

    @Test
    void chatRendersTheTemplateAndAnswers() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("fake-model").addSystemMessage("You write Python.").addUserMessage("Reverse a list.")
                .maxCompletionTokens(200).seed(7).build());
        int[] prompt = model.chatPrompt(List.of(ChatMessage.system("You write Python."), ChatMessage.user("Reverse a list.")));
        String expected = FakeBatchBackend.chatAnswer(prompt, 1);
        assertEquals(expected, c.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().get(0).finishReason());
        assertEquals(prompt.length, c.usage().orElseThrow().promptTokens());
        assertEquals(utf8(FakeBatchBackend.answer(prompt)), c.usage().orElseThrow().completionTokens());
    }

    @Test
    void chatStreamDeliversDeltasAndFinalUsage() {
        var params = ChatCompletionCreateParams.builder().model("fake-model").addUserMessage("stream please")
                .maxCompletionTokens(200).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(ch -> {
                chunks.add(ch);
                ch.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            });
        }
        int[] prompt = model.chatPrompt(List.of(ChatMessage.user("stream please")));
        String expected = FakeBatchBackend.chatAnswer(prompt, 1);
        assertEquals(expected, text.toString());
        assertTrue(chunks.size() > 5, "streamed in many chunks, got " + chunks.size());
        assertEquals(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT, chunks.get(0).choices().get(0).delta().role().orElseThrow());
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty());
        assertEquals(utf8(FakeBatchBackend.answer(prompt)), last.usage().orElseThrow().completionTokens());
        ChatCompletionChunk finish = chunks.get(chunks.size() - 2);
        assertEquals(ChatCompletionChunk.Choice.FinishReason.STOP, finish.choices().get(0).finishReason().orElseThrow());
    }

    @Test
    void completionStreamDeliversTheSameTextAsTheFullAnswer() {
        var params = CompletionCreateParams.builder().model("fake-model").prompt("stream me").maxTokens(200).build();
        StringBuilder text = new StringBuilder();
        AtomicReference<CompletionChoice.FinishReason> reason = new AtomicReference<>();
        try (StreamResponse<Completion> s = client.completions().createStreaming(params)) {
            s.stream().forEach(c -> c.choices().forEach(ch -> {
                text.append(ch.text());
                if (ch._finishReason().asKnown().isPresent()) reason.set(ch.finishReason());
            }));
        }
        assertEquals(FakeBatchBackend.answer(model.completionPrompt("stream me")), text.toString());
        assertEquals(CompletionChoice.FinishReason.STOP, reason.get());
    }

    @Test
    void chatLogprobsComeBackPerToken() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("fake-model").addUserMessage("hi").maxCompletionTokens(3).logprobs(true).topLogprobs(2).build());
        var content = c.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        assertEquals(3, content.size());
        double expected = FakeBatchBackend.LOGIT - Math.log(Math.exp(FakeBatchBackend.LOGIT) + (FakeBatchBackend.VOCAB - 1));
        assertEquals(expected, content.get(0).logprob(), 1e-6);
        assertEquals(2, content.get(0).topLogprobs().size());
    }

    @Test
    void wrongKeyIsRejectedWith401() {
        OpenAIClient bad = OpenAIOkHttpClient.builder().baseUrl(server.base + "/v1").apiKey("wrong").maxRetries(0).build();
        try {
            assertThrows(UnauthorizedException.class, () -> bad.models().list());
        } finally {
            bad.close();
        }
    }

    /** Issue 16: clients send their own configured names; the one loaded model answers to any (as llama-server). */
    @Test
    void anyModelNameIsServedAndEchoed() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model("gpt-5").prompt("x").maxTokens(3).build());
        assertEquals("gpt-5", c.model());
        assertEquals(3, c.usage().orElseThrow().completionTokens());
    }

    @Test
    void logitBiasBansAndForcesTokens() {
        String prompt = "bias me";
        String expected = FakeBatchBackend.answer(model.completionPrompt(prompt));
        // -100 bans the space (byte 32) that the fake's answer has in it: greedy falls to the lowest id, 0
        Completion banned = client.completions().create(CompletionCreateParams.builder()
                .model("fake-model").prompt(prompt).maxTokens(200).temperature(0.0)
                .logitBias(CompletionCreateParams.LogitBias.builder().putAdditionalProperty("32", JsonValue.from(-100)).build())
                .build());
        assertEquals(expected.replace(' ', '\u0000'), banned.choices().get(0).text());
        // +100 on 'x' outweighs the fake's answer logit (30) at every step
        ChatCompletion forced = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("fake-model").addUserMessage("anything").maxCompletionTokens(5)
                .logitBias(ChatCompletionCreateParams.LogitBias.builder().putAdditionalProperty("120", JsonValue.from(100)).build())
                .build());
        assertEquals("xxxxx", forced.choices().get(0).message().content().orElseThrow());
        // an id outside the vocabulary is refused
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.completions().create(
                CompletionCreateParams.builder().model("fake-model").prompt("x")
                        .logitBias(CompletionCreateParams.LogitBias.builder().putAdditionalProperty("100000", JsonValue.from(5)).build())
                        .build()));
        assertEquals(400, e.statusCode());
        assertTrue(e.getMessage().contains("logit_bias"), e.getMessage());
    }

    @Test
    void structuredOutputAndToolsAreRefusedNotIgnored() {
        BadRequestException json = assertThrows(BadRequestException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("fake-model").addUserMessage("give me JSON")
                        .responseFormat(ResponseFormatJsonObject.builder().build()).build()));
        assertEquals(400, json.statusCode());
        assertTrue(json.getMessage().contains("response_format"), json.getMessage());
        var tool = java.util.Map.of("type", "function", "function", java.util.Map.of("name", "get_weather"));
        BadRequestException tools = assertThrows(BadRequestException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("fake-model").addUserMessage("weather?")
                        .putAdditionalBodyProperty("tools", JsonValue.from(List.of(tool))).build()));
        assertEquals(400, tools.statusCode());
        assertTrue(tools.getMessage().contains("tools"), tools.getMessage());
        // their "off" values are served
        ChatCompletion plain = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("fake-model").addUserMessage("plain").maxCompletionTokens(3)
                .responseFormat(com.openai.models.ResponseFormatText.builder().build())
                .putAdditionalBodyProperty("tools", JsonValue.from(List.of(tool)))
                .putAdditionalBodyProperty("tool_choice", JsonValue.from("none")).build());
        assertEquals(3, plain.usage().orElseThrow().completionTokens());
    }
}
