package dev.codellm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.model.generate.RequestPlanner;
import io.javalin.http.Context;
import java.io.IOException;

/**
 * llama-server's native endpoints that code editors and its own clients use: /completion, /infill,
 * /tokenize, /detokenize, /apply-template, /props, /health. Field names and shapes follow
 * llama.cpp's examples/server (commit c392e50).
 */
final class LlamaCppHandlers {
    private final InferenceService service;
    private final PlanParser parser;
    private final GenerationRunner runner;
    private final ServedModel model;

    LlamaCppHandlers(InferenceService service, PlanParser parser, GenerationRunner runner, ServedModel model) {
        this.service = service;
        this.parser = parser;
        this.runner = runner;
        this.model = model;
    }

    /** /infill: fill-in-the-middle, answered like /completion. */
    void infill(Context ctx) throws Exception {
        answer(ctx, parser.infill(HttpJson.read(ctx)));
    }

    /** /completion: llama.cpp's own completion endpoint (prompt string or token ids, n_predict). */
    void completion(Context ctx) throws Exception {
        answer(ctx, parser.completion(HttpJson.read(ctx)));
    }

    /**
     * Answers like llama.cpp's /completion: {content, stop, tokens_predicted, tokens_evaluated,
     * stop_type, timings}; streamed as {@code data: {content, stop: false}} events and a last one
     * with {@code stop: true} and the figures (no [DONE]: llama-server sends none here).
     */
    private void answer(Context ctx, GenerationPlan plan) throws Exception {
        JobGroup group = runner.submit(plan);
        RequestLog.jobs(ctx, group);
        try {
            ClientWatch watch = ClientWatch.start(ctx, group::cancelAll);
            if (!plan.stream()) {
                ChoiceResult[] results = GenerationRunner.collect(group, watch, ctx);
                if (results == null) return; // the client left
                ChoiceResult r = results[0];
                HttpJson.send(ctx, 200, result(plan, r.text.toString(), true, r.finishReason, r.promptTokens, r.completionTokens, group));
                return;
            }
            EventStream sse = EventStream.sse(ctx);
            try {
                while (!group.done()) {
                    switch (group.next()) {
                        case JobGroup.Token t -> {
                            if (!t.text().isEmpty()) sse.send(result(plan, t.text(), false, null, 0, 0, group));
                        }
                        case JobGroup.Finished f -> sse.send(result(plan, "", true, f.reason(), f.promptTokens(), f.completionTokens(), group));
                        case JobGroup.Failed f -> {
                            sse.send(ResponseJson.error(HttpJson.toApiError(f.error())));
                            sse.close();
                            return;
                        }
                    }
                }
                sse.close();
            } catch (IOException clientGone) {
                group.cancelAll();
            }
        } finally {
            group.cancelAll();
        }
    }

    private ObjectNode result(GenerationPlan plan, String content, boolean stop, FinishReason reason, int prompt, int predicted, JobGroup group) {
        ObjectNode o = ResponseJson.MAPPER.createObjectNode();
        o.put("index", 0);
        o.put("content", content);
        o.put("stop", stop);
        if (stop) {
            o.put("model", plan.model());
            o.put("tokens_predicted", predicted);
            o.put("tokens_evaluated", prompt);
            o.put("stop_type", reason == FinishReason.STOP ? "eos" : reason == FinishReason.LENGTH ? "limit" : "none");
            o.put("truncated", group.truncated());
            o.set("timings", timings(prompt, predicted, group));
        }
        return o;
    }

    /** llama.cpp's timings object, from the request's wall-clock phases (see {@link JobGroup#promptNanos}). */
    static ObjectNode timings(int prompt, int predicted, JobGroup group) {
        ObjectNode t = ResponseJson.MAPPER.createObjectNode();
        double promptMs = group.promptNanos() / 1e6, predictedMs = group.generationNanos() / 1e6;
        t.put("prompt_n", prompt);
        t.put("prompt_ms", promptMs);
        t.put("prompt_per_token_ms", prompt == 0 ? 0 : promptMs / prompt);
        t.put("prompt_per_second", promptMs == 0 ? 0 : prompt / (promptMs / 1e3));
        t.put("predicted_n", predicted);
        t.put("predicted_ms", predictedMs);
        t.put("predicted_per_token_ms", predicted == 0 ? 0 : predictedMs / predicted);
        t.put("predicted_per_second", predictedMs == 0 ? 0 : predicted / (predictedMs / 1e3));
        if (group.drafted() > 0) {  // as llama-server: only when drafts were made
            t.put("draft_n", group.drafted());
            t.put("draft_n_accepted", group.draftsAccepted());
        }
        return t;
    }

    /** {content, add_special?, parse_special?, with_pieces?} → {tokens: [id...] or [{id, piece}...]}. */
    void tokenize(Context ctx) throws Exception {
        BatchBackend tok = requireTokenizer();
        JsonNode body = HttpJson.read(ctx);
        String content = Fields.string(body, "content", null);
        if (content == null) throw ApiError.badRequest("'content' is required", "content");
        boolean addSpecial = Fields.bool(body, "add_special", false);
        boolean parseSpecial = Fields.bool(body, "parse_special", true);
        boolean withPieces = Fields.bool(body, "with_pieces", false);
        int[] ids = tok.encode(content, addSpecial, parseSpecial);
        ObjectNode out = ResponseJson.MAPPER.createObjectNode();
        ArrayNode tokens = out.putArray("tokens");
        for (int id : ids) {
            if (withPieces) tokens.addObject().put("id", id).put("piece", tok.piece(id));
            else tokens.add(id);
        }
        HttpJson.send(ctx, 200, out);
    }

    /** {tokens: [id...]} → {content}. */
    void detokenize(Context ctx) throws Exception {
        BatchBackend tok = requireTokenizer();
        JsonNode tokens = Fields.get(HttpJson.read(ctx), "tokens");
        if (tokens == null || !tokens.isArray()) throw ApiError.badRequest("'tokens' must be an array of token ids", "tokens");
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = tokens.get(i);
            if (!t.isIntegralNumber() || t.longValue() < 0 || t.longValue() > Integer.MAX_VALUE) {
                throw ApiError.badRequest("'tokens' must hold non-negative integer ids", "tokens");
            }
            ids[i] = t.intValue();
        }
        String text;
        try {
            text = tok.decode(ids);
        } catch (RuntimeException e) {
            throw ApiError.badRequest("cannot decode tokens: " + e.getMessage(), "tokens");
        }
        ObjectNode out = ResponseJson.MAPPER.createObjectNode();
        out.put("content", text);
        HttpJson.send(ctx, 200, out);
    }

    /** {messages} → {prompt}: the chat rendered with the model's template, as it would be run. */
    void applyTemplate(Context ctx) throws Exception {
        RequestPlanner planner = service.planner();
        if (planner == null) throw ApiError.badRequest("This backend renders its own prompts; /apply-template is unavailable.", null);
        ChatRequest request = parser.chatRequest(Fields.get(HttpJson.read(ctx), "messages"));
        parser.plan(request); // the same checks a chat gets (turn order, context)
        ObjectNode out = ResponseJson.MAPPER.createObjectNode();
        out.put("prompt", planner.renderChat(request));
        HttpJson.send(ctx, 200, out);
    }

    /** llama-server's /props: default generation settings (with n_ctx), slots, template, special tokens. */
    void props(Context ctx) throws Exception {
        ObjectNode out = ResponseJson.MAPPER.createObjectNode();
        ObjectNode settings = out.putObject("default_generation_settings");
        settings.put("n_ctx", service.info().contextLength());
        settings.put("model", model.name());
        ObjectNode params = settings.putObject("params");
        params.put("n_predict", -1);
        params.put("temperature", PlanParser.LLAMA_CPP.temperature());
        params.put("top_k", PlanParser.LLAMA_CPP.topK());
        params.put("top_p", PlanParser.LLAMA_CPP.topP());
        params.put("min_p", PlanParser.LLAMA_CPP.minP());
        out.put("total_slots", service.slots());
        out.put("model_path", model.file() == null ? model.name() : model.file().toString());
        out.put("chat_template", model.chatTemplate());
        out.put("bos_token", model.bosToken());
        out.put("eos_token", model.eosToken());
        out.put("build_info", "codellm " + ServedModel.version());
        out.put("supports_infill", service.info().supportsInfill());
        out.put("embeddings", model.embeddings());
        out.put("kernels", ServedModel.kernels());
        if (model.kvCacheType() != null) {  // llama-server's -ctk/-ctv names
            out.put("cache_type_k", model.kvCacheType());
            out.put("cache_type_v", model.kvCacheType());
        }
        HttpJson.send(ctx, 200, out);
    }

    void health(Context ctx) throws Exception {
        ObjectNode out = ResponseJson.MAPPER.createObjectNode();
        out.put("status", "ok");
        out.put("slots_idle", service.slots() - service.busySlots());
        out.put("slots_processing", service.busySlots());
        out.put("queue_depth", service.queueDepth());
        HttpJson.send(ctx, 200, out);
    }

    private BatchBackend requireTokenizer() {
        BatchBackend tok = service.tokenizer();
        if (tok == null) throw ApiError.badRequest("This backend has no tokenizer; /tokenize and /detokenize are unavailable.", null);
        return tok;
    }
}
