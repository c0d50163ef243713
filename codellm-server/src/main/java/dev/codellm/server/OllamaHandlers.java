package dev.codellm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.GenerationRequest;
import dev.codellm.core.SamplingParams;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * ollama's API (github.com/ollama/ollama docs/api.md), which Open WebUI, Continue's ollama provider
 * and many editor plugins speak: /api/generate (with {@code suffix} for fill-in-the-middle),
 * /api/chat, /api/tags, /api/show, /api/ps, /api/version; model management (/api/pull ...) answers
 * that models are files here. Streams are NDJSON, one object per line, the last with
 * {@code done: true} and the figures ({@code eval_count}, durations in nanoseconds); errors are
 * ollama's {@code {"error": "..."}}.
 */
final class OllamaHandlers {
    /** The ollama API version these routes follow (clients compare it to enable features). */
    static final String API_VERSION = "0.5.0";

    /** ollama's defaults when {@code options} leaves a field out (its runner's sampling defaults). */
    static final PlanParser.Defaults OLLAMA = new PlanParser.Defaults(0.8, 0.9, 40, 0.0, 1.1);

    private final InferenceService service;
    private final PlanParser parser;
    private final GenerationRunner runner;
    private final ServedModel model;

    OllamaHandlers(InferenceService service, PlanParser parser, GenerationRunner runner, ServedModel model) {
        this.service = service;
        this.parser = parser;
        this.runner = runner;
        this.model = model;
    }

    /**
     * {model, prompt, suffix?, system?, raw?, stream?, options?}. With a suffix it is an infill;
     * a raw prompt (or one for a model without a chat template of its own) is completed as it is;
     * otherwise, as ollama applies the model's template, it becomes a chat turn (with the system
     * message if given).
     */
    void generate(Context ctx) throws Exception {
        JsonNode body = HttpJson.read(ctx);
        String name = parser.answerName(body);
        String prompt = Fields.string(body, "prompt", "");
        String suffix = Fields.string(body, "suffix", null);
        String system = Fields.string(body, "system", null);
        boolean raw = Fields.bool(body, "raw", false);
        refuseUnsupported(body);
        if (prompt.isEmpty() && suffix == null) {
            loaded(ctx, name, false); // "If an empty prompt is provided, the model will be loaded into memory."
            return;
        }
        GenerationRequest request;
        if (suffix != null) {
            request = new CompletionRequest(prompt, suffix, SamplingParams.GREEDY);
        } else if (raw || (system == null && !model.hasChatTemplate())) {
            request = CompletionRequest.of(prompt, SamplingParams.GREEDY);
        } else {
            List<ChatMessage> messages = new ArrayList<>();
            if (system != null) messages.add(ChatMessage.system(system));
            messages.add(ChatMessage.user(prompt));
            request = new ChatRequest(messages, SamplingParams.GREEDY);
        }
        answer(ctx, body, request, name, false);
    }

    /** {model, messages, stream?, options?}: the next assistant message. */
    void chat(Context ctx) throws Exception {
        JsonNode body = HttpJson.read(ctx);
        String name = parser.answerName(body);
        refuseUnsupported(body);
        JsonNode tools = Fields.get(body, "tools");
        if (tools != null && (!tools.isArray() || !tools.isEmpty())) throw ApiError.badRequest("tools are not supported by this server", null);
        JsonNode msgs = Fields.get(body, "messages");
        if (msgs == null || (msgs.isArray() && msgs.isEmpty())) {
            loaded(ctx, name, true); // "If the messages array is empty, the model will be loaded into memory."
            return;
        }
        for (JsonNode m : msgs) {
            if (m.isObject() && Fields.get(m, "images") != null && !m.get("images").isEmpty()) {
                throw ApiError.badRequest("images are not supported: the model reads text only", null);
            }
        }
        answer(ctx, body, parser.chatRequest(msgs), name, true);
    }

    private void answer(Context ctx, JsonNode body, GenerationRequest request, String name, boolean chat) throws Exception {
        JsonNode options = Fields.get(body, "options");
        if (options != null && !options.isObject()) throw ApiError.badRequest("'options' must be an object", null);
        if (options == null) options = ResponseJson.MAPPER.createObjectNode();
        int numPredict = Fields.integer(options, "num_predict", -1, -2, Integer.MAX_VALUE);
        // -1: no limit (until the context is full here); -2: fill the context, the same for us
        int maxTokens = numPredict < 0 ? service.info().contextLength() : numPredict;
        SamplingParams sampling = PlanParser.sampling(options, maxTokens, OLLAMA);
        var entry = new GenerationPlan.PromptEntry(request, parser.plan(request, parser.planner(options, "num_keep")), "");
        boolean stream = Fields.bool(body, "stream", true);
        GenerationPlan plan = new GenerationPlan(List.of(entry), 1, sampling, -1, stream, false, false, name);
        JobGroup group = runner.submit(plan);
        RequestLog.jobs(ctx, group);
        try {
            ClientWatch watch = ClientWatch.start(ctx, group::cancelAll);
            if (!stream) {
                ChoiceResult[] results = GenerationRunner.collect(group, watch, ctx);
                if (results == null) return; // the client left
                ChoiceResult r = results[0];
                ObjectNode out = line(name, chat, r.text.toString());
                finish(out, group, r.finishReason, r.promptTokens, r.completionTokens);
                HttpJson.send(ctx, 200, out);
                return;
            }
            EventStream lines = EventStream.ndjson(ctx);
            try {
                while (!group.done()) {
                    switch (group.next()) {
                        case JobGroup.Token t -> {
                            if (!t.text().isEmpty()) lines.send(line(name, chat, t.text()));
                        }
                        case JobGroup.Finished f -> {
                            ObjectNode last = line(name, chat, "");
                            finish(last, group, f.reason(), f.promptTokens(), f.completionTokens());
                            lines.send(last);
                        }
                        case JobGroup.Failed f -> lines.send(error(HttpJson.toApiError(f.error()).getMessage()));
                    }
                }
                lines.close();
            } catch (IOException clientGone) {
                group.cancelAll();
            }
        } finally {
            group.cancelAll();
        }
    }

    /** One response object: {model, created_at, response | message, done: false}. */
    private static ObjectNode line(String name, boolean chat, String text) {
        ObjectNode o = ResponseJson.MAPPER.createObjectNode();
        o.put("model", name);
        o.put("created_at", Instant.now().toString());
        if (chat) o.putObject("message").put("role", "assistant").put("content", text);
        else o.put("response", text);
        o.put("done", false);
        return o;
    }

    /** The final object's fields: done, done_reason and the figures, durations in nanoseconds. */
    private static void finish(ObjectNode o, JobGroup group, FinishReason reason, int prompt, int completion) {
        o.put("done", true);
        o.put("done_reason", reason == FinishReason.LENGTH ? "length" : "stop");
        o.put("total_duration", group.totalNanos());
        o.put("load_duration", 0);
        o.put("prompt_eval_count", prompt);
        o.put("prompt_eval_duration", group.promptNanos());
        o.put("eval_count", completion);
        o.put("eval_duration", group.generationNanos());
    }

    /** The answer to a request that only asks to load the model (it is loaded already). */
    private static void loaded(Context ctx, String name, boolean chat) throws IOException {
        ObjectNode o = line(name, chat, "");
        o.put("done", true);
        o.put("done_reason", "load");
        HttpJson.send(ctx, 200, o);
    }

    /** Structured output and images would change what the answer must be: refused, not ignored. */
    private static void refuseUnsupported(JsonNode body) {
        JsonNode format = Fields.get(body, "format");
        if (format != null && !(format.isTextual() && format.textValue().isEmpty())) {
            throw ApiError.badRequest("'format' (JSON mode, JSON schema) is not supported: this server only produces free text", null);
        }
        JsonNode images = Fields.get(body, "images");
        if (images != null && (!images.isArray() || !images.isEmpty())) {
            throw ApiError.badRequest("images are not supported: the model reads text only", null);
        }
    }

    /** GET /api/tags: the model under each of its names. */
    void tags(Context ctx) throws Exception {
        ObjectNode root = ResponseJson.MAPPER.createObjectNode();
        ArrayNode models = root.putArray("models");
        for (String name : model.names()) {
            ObjectNode m = models.addObject();
            m.put("name", name);
            m.put("model", name);
            m.put("modified_at", model.modified().toString());
            m.put("size", model.sizeBytes());
            m.put("digest", digest());
            m.set("details", details());
        }
        HttpJson.send(ctx, 200, root);
    }

    /** GET /api/ps: the loaded model (always resident; no VRAM). */
    void ps(Context ctx) throws Exception {
        ObjectNode root = ResponseJson.MAPPER.createObjectNode();
        ArrayNode models = root.putArray("models");
        ObjectNode m = models.addObject();
        m.put("name", model.name());
        m.put("model", model.name());
        m.put("size", model.sizeBytes());
        m.put("digest", digest());
        m.set("details", details());
        m.put("expires_at", "9999-12-31T23:59:59Z");
        m.put("size_vram", 0);
        HttpJson.send(ctx, 200, root);
    }

    /** POST /api/show {model}: details, template, parameters, GGUF metadata, capabilities (any name: the one model). */
    void show(Context ctx) throws Exception {
        JsonNode body = HttpJson.read(ctx);
        String name = Fields.string(body, "model", Fields.string(body, "name", null));
        if (name == null) throw ApiError.badRequest("'model' is required", null);
        ObjectNode root = ResponseJson.MAPPER.createObjectNode();
        root.put("modelfile", "# codellm serves a GGUF file directly\nFROM " + (model.file() == null ? model.name() : model.file().toString()) + "\n");
        root.put("parameters", "num_ctx " + service.info().contextLength());
        root.put("template", model.chatTemplate() == null ? "" : model.chatTemplate());
        root.set("details", details());
        ObjectNode info = root.putObject("model_info");
        model.metadata().forEach((k, v) -> info.putPOJO(k, v));
        info.put("general.parameter_count", model.parameterCount());
        info.put("llama.context_length", service.info().contextLength());
        ArrayNode caps = root.putArray("capabilities");
        caps.add("completion");
        if (service.info().supportsInfill()) caps.add("insert");
        if (model.embeddings()) caps.add("embedding");
        root.put("modified_at", model.modified().toString());
        HttpJson.send(ctx, 200, root);
    }

    void version(Context ctx) throws Exception {
        ObjectNode root = ResponseJson.MAPPER.createObjectNode();
        root.put("version", API_VERSION);
        HttpJson.send(ctx, 200, root);
    }

    /** /api/pull, /api/push, /api/create, /api/copy, /api/delete: there is no model store to manage. */
    void modelStore(Context ctx) throws Exception {
        throw ApiError.badRequest("codellm serves the one GGUF file it was started with and does not download or manage models ("
                + ctx.path() + " is unavailable): pass a model file with 'codellm serve --model FILE.gguf'", null);
    }

    private ObjectNode details() {
        ObjectNode d = ResponseJson.MAPPER.createObjectNode();
        d.put("parent_model", "");
        d.put("format", "gguf");
        d.put("family", "llama");
        d.putArray("families").add("llama");
        d.put("parameter_size", model.parameterSize());
        d.put("quantization_level", model.quantization() == null ? "" : model.quantization());
        return d;
    }

    /** A stable identifier of the served file (not a content hash: that would read the whole file). */
    private String digest() {
        String id = model.name() + "\u0000" + model.sizeBytes() + "\u0000" + model.modified();
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ollama's error object: {@code {"error": "message"}}. */
    static ObjectNode error(String message) {
        ObjectNode o = ResponseJson.MAPPER.createObjectNode();
        o.put("error", message);
        return o;
    }
}
