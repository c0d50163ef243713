package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.SharedData;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.gguf.GgufWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.http.HttpResponse;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21 §3: a model whose weights hold a NaN answered 200 with empty text; now a 500 JSON error saying why. */
class NanModelServerTest {
    @TempDir
    Path dir;

    @Test
    void nanLogitsGiveA500WithTheReasonNotEmptyText() throws Exception {
        Path bad = dir.resolve("nan.gguf");
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"))) {
            GgufWriter w = new GgufWriter().putAll(f);
            for (GgufTensor t : f.tensors()) {
                if (!t.name().equals("output_norm.weight")) {
                    w.addTensor(t);
                    continue;
                }
                byte[] b = t.data().toArray(ValueLayout.JAVA_BYTE);
                MemorySegment.ofArray(b).set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, Float.floatToRawIntBits(Float.NaN));
                w.addTensor(t.name(), t.type(), t.shape(), b);
            }
            w.write(bad);
        }
        EngineBatchBackend model = EngineBatchBackend.open(bad, new GeneratorOptions(256, "f32", null, null, 1));
        Metrics metrics = new Metrics();
        try (TestServer server = new TestServer(new BatchScheduler(model, 2, 4, metrics), ServerOptions.defaults(), metrics)) {
            HttpResponse<String> r = server.post("/v1/completions", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 8, \"temperature\": 0}");
            assertEquals(500, r.statusCode(), r.body());
            JsonNode e = new ObjectMapper().readTree(r.body()).path("error");
            assertEquals("server_error", e.path("type").asText(), r.body());
            assertTrue(e.path("message").asText().startsWith("the model's logits became NaN"), r.body());
            HttpResponse<String> chat = server.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 8}");
            assertEquals(500, chat.statusCode(), chat.body());
            assertTrue(chat.body().contains("logits became NaN"), chat.body());
        }
    }
}
