package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.ChatMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Node SDK (npm package {@code openai}, locked in {@code src/test/node},
 * installed by {@code scripts/setup.sh}) runs the scripted session {@code session.mjs}
 * against the server: completions, chat, streaming, embeddings and errors.
 */
class NodeSdkTest {
    static final Path DIR = Path.of("src", "test", "node");
    static final String KEY = "sk-node-1";

    @Test
    void theNodeSdkSessionPasses() throws Exception {
        assertTrue(Files.isDirectory(DIR.resolve("node_modules/openai")),
                "the OpenAI Node SDK is not installed: run scripts/setup.sh (npm ci in codellm-server/src/test/node)");
        FakeBatchBackend model = new FakeBatchBackend(1024, 0, 0);
        try (TestServer server = TestServer.withFake(model, 2, 8, ServerOptions.defaults().withApiKey(KEY))) {
            Path errors = Files.createTempFile("node-sdk", ".err");
            Process p = new ProcessBuilder("node", "session.mjs", server.base + "/v1", KEY).directory(DIR.toFile())
                    .redirectError(errors.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node did not finish");
            assertEquals(0, p.exitValue(), "node failed: " + Files.readString(errors) + out);
            Files.delete(errors);
            JsonNode r = new ObjectMapper().readTree(out);

            assertEquals("fake-model", r.at("/models/0").asText());

            int[] cp = model.completionPrompt("def add(a, b):");
            assertEquals(FakeBatchBackend.answer(cp), r.at("/completion/text").asText());
            assertEquals("stop", r.at("/completion/finish").asText());
            assertEquals(cp.length, r.at("/completion/usage/prompt_tokens").asInt());
            assertEquals("gpt-3.5-turbo-instruct", r.at("/completion/model").asText(), "the asked name is echoed");

            int[] chat = model.chatPrompt(List.of(ChatMessage.system("You write Python."), ChatMessage.user("Reverse a list.")));
            assertEquals(FakeBatchBackend.chatAnswer(chat, 1), r.at("/chat/text").asText());
            assertEquals("assistant", r.at("/chat/role").asText());
            assertEquals(chat.length, r.at("/chat/usage/prompt_tokens").asInt());

            int[] streamed = model.chatPrompt(List.of(ChatMessage.user("stream please")));
            assertEquals(FakeBatchBackend.chatAnswer(streamed, 1), r.at("/chatStream/text").asText());
            assertTrue(r.at("/chatStream/chunks").asInt() > 5);
            assertEquals("assistant", r.at("/chatStream/firstRole").asText());
            assertEquals(utf8(FakeBatchBackend.answer(streamed)), r.at("/chatStream/usage/completion_tokens").asInt());

            assertEquals(FakeBatchBackend.answer(model.completionPrompt("stream this")), r.at("/completionStream/text").asText());

            for (int i = 0; i < 2; i++) {
                float[] want = FakeBatchBackend.embedding(FakeBatchBackend.bytes(i == 0 ? "def f(): pass" : "class A: ...", true));
                JsonNode got = r.at("/embeddings/vectors/" + i);
                assertEquals(want.length, got.size());
                for (int j = 0; j < want.length; j++) assertEquals(want[j], got.get(j).floatValue(), 1e-6);
                assertEquals(i, r.at("/embeddings/indexes/" + i).asInt());
            }
            assertEquals(27, r.at("/embeddings/usage/prompt_tokens").asInt());

            assertEquals(401, r.at("/errors/wrongKey/status").asInt());
            assertEquals("AuthenticationError", r.at("/errors/wrongKey/kind").asText());
            assertEquals(400, r.at("/errors/badRequest/status").asInt());
            assertEquals("BadRequestError", r.at("/errors/badRequest/kind").asText());
            assertEquals("temperature", r.at("/errors/badRequest/param").asText(), r.get("errors").toString());
            assertEquals(400, r.at("/errors/emptyEmbedding/status").asInt());
        }
    }

    static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
