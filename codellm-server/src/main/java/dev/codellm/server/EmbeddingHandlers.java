package dev.codellm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.model.generate.PromptTooLongException;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Embeddings routes: OpenAI's /v1/embeddings (also llama-server's shape of it) and ollama's
 * /api/embed and /api/embeddings, over the backend's {@link Embeddings}. Inputs are embedded one
 * after another; a client that leaves stops the rest.
 */
final class EmbeddingHandlers {
    /** OpenAI's limit on inputs per request. */
    static final int MAX_INPUTS = 2048;

    private final InferenceService service;
    private final PlanParser parser;

    EmbeddingHandlers(InferenceService service, PlanParser parser) {
        this.service = service;
        this.parser = parser;
    }

    /** {input, encoding_format?, dimensions?} → {object: list, data: [{object: embedding, index, embedding}], model, usage}. */
    void openAi(Context ctx) throws Exception {
        JsonNode body = HttpJson.read(ctx);
        Embeddings e = require();
        String format = Fields.string(body, "encoding_format", "float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiError.badRequest("'encoding_format' must be 'float' or 'base64', got '" + format + "'", "encoding_format");
        }
        Integer dims = Fields.integer(body, "dimensions", null, 1, Integer.MAX_VALUE);
        if (dims != null && dims != e.dimension()) {
            throw ApiError.badRequest("this model's embeddings have " + e.dimension() + " dimensions; 'dimensions' " + dims
                    + " (shortened embeddings) is not supported", "dimensions");
        }
        List<int[]> inputs = inputs(Fields.get(body, "input"), e, "input", false);
        List<float[]> vectors = run(ctx, inputs, e);
        if (vectors == null) return; // the client left
        ObjectNode root = ResponseJson.MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        int tokens = 0;
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode d = data.addObject();
            d.put("object", "embedding");
            d.put("index", i);
            if (format.equals("base64")) d.put("embedding", base64(vectors.get(i)));
            else floats(d.putArray("embedding"), vectors.get(i));
            tokens += inputs.get(i).length;
        }
        root.put("model", parser.answerName(body));
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", tokens);
        usage.put("total_tokens", tokens);
        HttpJson.send(ctx, 200, root);
    }

    /** ollama's /api/embed: {model, input: string | [string], truncate?} → {model, embeddings, total_duration, prompt_eval_count}. */
    void ollamaEmbed(Context ctx) throws Exception {
        long t0 = System.nanoTime();
        JsonNode body = HttpJson.read(ctx);
        Embeddings e = require();
        boolean truncate = Fields.bool(body, "truncate", true);
        List<int[]> inputs = inputs(Fields.get(body, "input"), e, "input", truncate);
        List<float[]> vectors = run(ctx, inputs, e);
        if (vectors == null) return;
        ObjectNode root = ResponseJson.MAPPER.createObjectNode();
        root.put("model", parser.answerName(body));
        ArrayNode all = root.putArray("embeddings");
        int tokens = 0;
        for (int i = 0; i < vectors.size(); i++) {
            floats(all.addArray(), vectors.get(i));
            tokens += inputs.get(i).length;
        }
        root.put("total_duration", System.nanoTime() - t0);
        root.put("load_duration", 0);
        root.put("prompt_eval_count", tokens);
        HttpJson.send(ctx, 200, root);
    }

    /** ollama's older /api/embeddings: {model, prompt} → {embedding}. */
    void ollamaEmbeddings(Context ctx) throws Exception {
        JsonNode body = HttpJson.read(ctx);
        Embeddings e = require();
        String prompt = Fields.string(body, "prompt", null);
        if (prompt == null) throw ApiError.badRequest("'prompt' is required", "prompt");
        List<float[]> vectors = run(ctx, List.of(tokens(e, prompt, "prompt", true)), e);
        if (vectors == null) return;
        ObjectNode root = ResponseJson.MAPPER.createObjectNode();
        floats(root.putArray("embedding"), vectors.get(0));
        HttpJson.send(ctx, 200, root);
    }

    private Embeddings require() {
        Embeddings e = service.embeddings();
        if (e == null) throw ApiError.badRequest("This backend does not compute embeddings.", null);
        return e;
    }

    /** A string, an array of strings, an array of token ids, or an array of token-id arrays. */
    private List<int[]> inputs(JsonNode input, Embeddings e, String param, boolean truncate) {
        if (input == null) throw ApiError.badRequest("'" + param + "' is required", param);
        List<int[]> out = new ArrayList<>();
        if (input.isTextual()) {
            out.add(tokens(e, input.textValue(), param, truncate));
        } else if (input.isArray() && !input.isEmpty() && input.get(0).isIntegralNumber()) {
            out.add(ids(input, param, truncate));
        } else if (input.isArray() && !input.isEmpty()) {
            if (input.size() > MAX_INPUTS) throw ApiError.badRequest("'" + param + "' may hold at most " + MAX_INPUTS + " inputs", param);
            for (JsonNode item : input) {
                if (item.isTextual()) out.add(tokens(e, item.textValue(), param, truncate));
                else if (item.isArray() && !item.isEmpty()) out.add(ids(item, param, truncate));
                else throw ApiError.badRequest("'" + param + "' items must be strings or arrays of token ids", param);
            }
        } else {
            throw ApiError.badRequest("'" + param + "' must be a non-empty string, array of strings, or token array", param);
        }
        return out;
    }

    private int[] tokens(Embeddings e, String text, String param, boolean truncate) {
        if (text.isEmpty()) throw ApiError.badRequest("'" + param + "' must not be an empty string", param);
        return fit(e.tokens(text), truncate);
    }

    private int[] ids(JsonNode arr, String param, boolean truncate) {
        int vocab = parser.vocabSize();
        int[] ids = new int[arr.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = arr.get(i);
            if (!t.isIntegralNumber() || t.longValue() < 0 || t.longValue() >= vocab) {
                throw ApiError.badRequest("'" + param + "' token ids must be integers from 0 to " + (vocab - 1), param);
            }
            ids[i] = t.intValue();
        }
        return fit(ids, truncate);
    }

    /** ollama truncates inputs over the context by default; OpenAI refuses them. */
    private int[] fit(int[] tokens, boolean truncate) {
        int ctx = service.info().contextLength();
        if (tokens.length <= ctx) return tokens;
        if (truncate) return Arrays.copyOf(tokens, ctx);
        throw ApiError.contextExceeded(tokens.length, ctx);
    }

    /** Embeds each input; null when the client closed the connection meanwhile (counted as 499). */
    private static List<float[]> run(Context ctx, List<int[]> inputs, Embeddings e) {
        boolean[] gone = {false};
        ClientWatch watch = ClientWatch.start(ctx, () -> gone[0] = true);
        List<float[]> out = new ArrayList<>(inputs.size());
        try {
            for (int[] tokens : inputs) {
                if (gone[0] || (watch != null && watch.clientGone())) {
                    ctx.status(GenerationRunner.CLIENT_CLOSED_REQUEST);
                    return null;
                }
                out.add(e.embed(tokens));
            }
        } catch (PromptTooLongException tooLong) {
            throw ApiError.contextExceeded(tooLong.promptTokens(), tooLong.contextLength());
        } catch (CodellmException bad) {
            throw ApiError.badRequest(bad.getMessage(), "input");
        }
        return out;
    }

    private static void floats(ArrayNode arr, float[] v) {
        for (float f : v) arr.add(f);
    }

    /** OpenAI's base64 encoding: the float32 values little-endian, base64 (what the SDKs ask for by default). */
    static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
