package dev.codellm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.FinishReason;
import io.javalin.http.Context;
import java.io.IOException;

/** llama.cpp server extras that code editors use: /infill, /tokenize, /detokenize, /health. */
final class LlamaCppHandlers {
    private final InferenceService service;
    private final PlanParser parser;
    private final GenerationRunner runner;
    private final String modelName;

    LlamaCppHandlers(InferenceService service, PlanParser parser, GenerationRunner runner, String modelName) {
        this.service = service;
        this.parser = parser;
        this.runner = runner;
        this.modelName = modelName;
    }

    /** Answers like llama.cpp's /completion: {content, stop, tokens_predicted, tokens_evaluated, stop_type}. */
    void infill(Context ctx) throws Exception {
        GenerationPlan plan = parser.infill(HttpJson.read(ctx));
        JobGroup group = runner.submit(plan);
        try {
            ClientWatch watch = ClientWatch.start(ctx, group::cancelAll);
            if (!plan.stream()) {
                ChoiceResult[] results = GenerationRunner.collect(group, watch, ctx);
                if (results == null) return; // the client left
                ChoiceResult r = results[0];
                HttpJson.send(ctx, 200, result(r.text.toString(), true, r.finishReason, r.promptTokens, r.completionTokens));
                return;
            }
            Sse sse = Sse.start(ctx);
            try {
                while (!group.done()) {
                    switch (group.next()) {
                        case JobGroup.Token t -> {
                            if (!t.text().isEmpty()) sse.send(result(t.text(), false, null, 0, 0));
                        }
                        case JobGroup.Finished f -> sse.send(result("", true, f.reason(), f.promptTokens(), f.completionTokens()));
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

    private ObjectNode result(String content, boolean stop, FinishReason reason, int prompt, int predicted) {
        ObjectNode o = ResponseJson.MAPPER.createObjectNode();
        o.put("index", 0);
        o.put("content", content);
        o.put("stop", stop);
        if (stop) {
            o.put("model", modelName);
            o.put("tokens_predicted", predicted);
            o.put("tokens_evaluated", prompt);
            o.put("stop_type", reason == FinishReason.STOP ? "eos" : reason == FinishReason.LENGTH ? "limit" : "none");
        }
        return o;
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
