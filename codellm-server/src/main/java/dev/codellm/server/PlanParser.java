package dev.codellm.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.BadRequestException;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.GenerationRequest;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.generate.PlannedPrompt;
import dev.codellm.model.generate.PromptTooLongException;
import dev.codellm.model.generate.RequestPlanner;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the JSON bodies of the generation routes (OpenAI's /v1/completions and
 * /v1/chat/completions, llama.cpp's /completion and /infill; ollama's through
 * {@link OllamaHandlers}) into {@link GenerationPlan}s: core's request records, planned on the
 * engine by the model module's {@link RequestPlanner} (when the backend has one).
 */
final class PlanParser {
    /** OpenAI's default max_tokens for /v1/completions. */
    static final int COMPLETION_DEFAULT_MAX_TOKENS = 16;

    /**
     * /infill without {@code n_predict}: llama-server would generate until EOS or the trained
     * context, which for a code model that never emits {@code <EOT>} ran 20 s; 128 tokens is what
     * the editor plugins that call /infill (llama.vim, llama.vscode) ask for by default.
     */
    static final int INFILL_DEFAULT_N_PREDICT = 128;

    /** Sampling defaults of a dialect when a field is absent. */
    record Defaults(double temperature, double topP, int topK, double minP, double repeatPenalty) {}

    /** OpenAI's documented defaults. */
    static final Defaults OPENAI = new Defaults(1.0, 1.0, 0, 0.0, 1.0);
    /** llama-server's defaults for its native endpoints (common_params_sampling). */
    static final Defaults LLAMA_CPP = new Defaults(0.8, 0.95, 40, 0.05, 1.0);

    private final InferenceService service;
    private final ServedModel model;

    PlanParser(InferenceService service, ServedModel model) {
        this.service = service;
        this.model = model;
    }

    GenerationPlan completions(JsonNode body) {
        String suffix = Fields.string(body, "suffix", null);
        List<GenerationPlan.PromptEntry> prompts = prompts(Fields.get(body, "prompt"), suffix, 64, planner(body, "n_keep"));
        Integer logprobs = Fields.integer(body, "logprobs", null, 0, 5);
        boolean echo = Fields.bool(body, "echo", false);
        if (echo && logprobs != null) {
            throw ApiError.badRequest("'echo' together with 'logprobs' is not supported (prompt logprobs are not computed)", "echo");
        }
        int maxTokens = maxTokens(body, "max_tokens", COMPLETION_DEFAULT_MAX_TOKENS);
        return plan(body, prompts, maxTokens, logprobs == null ? -1 : logprobs, echo, OPENAI);
    }

    GenerationPlan chat(JsonNode body) {
        ChatRequest request = chatRequest(Fields.get(body, "messages"));
        PlannedPrompt planned = plan(request, planner(body, "n_keep"));
        boolean logprobs = Fields.bool(body, "logprobs", false);
        Integer top = Fields.integer(body, "top_logprobs", null, 0, 20);
        if (top != null && !logprobs) throw ApiError.badRequest("'top_logprobs' needs 'logprobs': true", "top_logprobs");
        int maxTokens = Fields.get(body, "max_completion_tokens") != null ? maxTokens(body, "max_completion_tokens", -1)
                : maxTokens(body, "max_tokens", -1);
        var entry = new GenerationPlan.PromptEntry(request, planned, "");
        return plan(body, List.of(entry), maxTokens, logprobs ? (top == null ? 0 : top) : -1, false, OPENAI);
    }

    /** llama.cpp's /infill: input_prefix, input_suffix, input_extra (files prepended to the prefix), n_predict. */
    GenerationPlan infill(JsonNode body) {
        String prefix = Fields.string(body, "input_prefix", "");
        String suffix = Fields.string(body, "input_suffix", "");
        StringBuilder context = new StringBuilder();
        JsonNode extra = Fields.get(body, "input_extra");
        if (extra != null) {
            if (!extra.isArray()) throw ApiError.badRequest("'input_extra' must be an array of {filename, text}", "input_extra");
            for (JsonNode chunk : extra) {
                if (!chunk.isObject()) throw ApiError.badRequest("'input_extra' items must be objects", "input_extra");
                String name = Fields.string(chunk, "filename", "");
                String text = Fields.string(chunk, "text", "");
                if (!name.isEmpty()) context.append("// ").append(name).append('\n');
                context.append(text);
                if (!text.endsWith("\n")) context.append('\n');
            }
        }
        String extraPrompt = Fields.string(body, "prompt", "");
        CompletionRequest request = new CompletionRequest(context + prefix + extraPrompt, suffix, SamplingParams.GREEDY);
        PlannedPrompt planned = plan(request, planner(body, "n_keep"));
        int maxTokens = Fields.get(body, "n_predict") != null ? maxTokens(body, "n_predict", -1)
                : maxTokens(body, "max_tokens", INFILL_DEFAULT_N_PREDICT);
        var entry = new GenerationPlan.PromptEntry(request, planned, prefix);
        return plan(body, List.of(entry), maxTokens, -1, false, OPENAI);
    }

    /**
     * llama.cpp's native /completion: {@code prompt} as a string or token ids, {@code n_predict}
     * (default -1: until EOS or the context is full, as llama-server), llama.cpp's sampling
     * defaults (temperature 0.8, top_k 40, top_p 0.95, min_p 0.05), {@code seed} -1 for random.
     */
    GenerationPlan completion(JsonNode body) {
        JsonNode p = Fields.get(body, "prompt");
        if (p != null && p.isArray() && p.size() > 1 && !p.get(0).isIntegralNumber()) {
            throw ApiError.badRequest("'prompt' must be one string or one array of token ids here (use /v1/completions for several)", "prompt");
        }
        List<GenerationPlan.PromptEntry> prompts = prompts(p, null, 1, planner(body, "n_keep"));
        int maxTokens = Fields.get(body, "n_predict") != null ? maxTokens(body, "n_predict", -1) : maxTokens(body, "max_tokens", -1);
        return plan(body, prompts, maxTokens, -1, false, LLAMA_CPP);
    }

    /** OpenAI's {@code messages} array as core's chat request (sampling filled in later). */
    ChatRequest chatRequest(JsonNode msgs) {
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
            throw ApiError.badRequest("'messages' must be a non-empty array", "messages");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) messages.add(message(msgs.get(i), i));
        return new ChatRequest(messages, SamplingParams.GREEDY);
    }

    private List<GenerationPlan.PromptEntry> prompts(JsonNode p, String suffix, int maxPrompts, RequestPlanner planner) {
        List<GenerationPlan.PromptEntry> prompts = new ArrayList<>();
        if (p == null) throw ApiError.badRequest("'prompt' is required", "prompt");
        if (p.isTextual()) {
            prompts.add(textPrompt(p.textValue(), suffix, planner));
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) {
            prompts.add(tokenPrompt(p, suffix, planner));
        } else if (p.isArray() && !p.isEmpty()) {
            if (p.size() > maxPrompts) throw ApiError.badRequest("'prompt' may hold at most " + maxPrompts + " prompts", "prompt");
            for (JsonNode item : p) {
                if (item.isTextual()) prompts.add(textPrompt(item.textValue(), suffix, planner));
                else if (item.isArray() && !item.isEmpty()) prompts.add(tokenPrompt(item, suffix, planner));
                else throw ApiError.badRequest("'prompt' must be a string, an array of strings, or token arrays", "prompt");
            }
        } else {
            throw ApiError.badRequest("'prompt' must be a non-empty string, array of strings, or token array", "prompt");
        }
        return prompts;
    }

    /**
     * A token limit field: absent gives {@code dflt}; -1 (llama.vscode sends it, as llama.cpp's
     * {@code n_predict}) means "until the context is full", as does a -1 default.
     */
    int maxTokens(JsonNode body, String field, int dflt) {
        int v = Fields.integer(body, field, dflt, -1, Integer.MAX_VALUE);
        return v < 0 ? service.info().contextLength() : v;
    }

    private GenerationPlan plan(JsonNode body, List<GenerationPlan.PromptEntry> prompts, int maxTokens, int topLogprobs, boolean echo,
                                Defaults defaults) {
        UnsupportedFields.check(body);
        int n = Fields.integer(body, "n", 1, 1, 16);
        if (prompts.size() * n > 64) throw ApiError.badRequest("at most 64 choices per request (prompts × n)", "n");
        if (topLogprobs >= 0 && service.tokenizer() == null) {
            throw ApiError.badRequest("logprobs are not available from this backend", "logprobs");
        }
        boolean stream = Fields.bool(body, "stream", false);
        boolean includeUsage = false;
        JsonNode so = Fields.get(body, "stream_options");
        if (so != null) {
            if (!so.isObject()) throw ApiError.badRequest("'stream_options' must be an object", "stream_options");
            includeUsage = Fields.bool(so, "include_usage", false);
        }
        SamplingParams sampling = sampling(body, maxTokens, defaults).withLogitBias(Fields.logitBias(body, vocabSize()));
        return new GenerationPlan(prompts, n, sampling, topLogprobs, stream, includeUsage, echo, answerName(body));
    }

    int vocabSize() {
        return service.tokenizer() == null ? Integer.MAX_VALUE : service.tokenizer().vocabSize();
    }

    /**
     * The name answers carry: the one the client asked for (any name is served by the one loaded
     * model, as llama-server does: clients send their own configured names), else the primary one.
     */
    String answerName(JsonNode body) {
        String asked = Fields.string(body, "model", null);
        return asked == null || asked.isBlank() ? model.name() : asked;
    }

    /** OpenAI sampling fields plus llama.cpp's top_k, min_p, repeat_penalty, repeat_last_n; llama.cpp's seed -1 is "random". */
    static SamplingParams sampling(JsonNode body, int maxTokens, Defaults d) {
        Long seed = Fields.seed(body);
        if (seed != null && seed == -1 && d == LLAMA_CPP) seed = null;
        return new SamplingParams(
                Fields.number(body, "temperature", d.temperature(), 0, 2),
                Fields.number(body, "top_p", d.topP(), Double.MIN_VALUE, 1),
                Fields.integer(body, "top_k", d.topK(), 0, Integer.MAX_VALUE),
                Fields.number(body, "min_p", d.minP(), 0, 1),
                Fields.number(body, "repeat_penalty", d.repeatPenalty(), 0, 10),
                Fields.integer(body, "repeat_last_n", 64, 0, 1 << 20),
                Fields.number(body, "presence_penalty", 0.0, -2, 2),
                Fields.number(body, "frequency_penalty", 0.0, -2, 2),
                seed,
                maxTokens,
                Fields.stop(body));
    }

    private GenerationPlan.PromptEntry textPrompt(String text, String suffix, RequestPlanner planner) {
        CompletionRequest request = new CompletionRequest(text, suffix, SamplingParams.GREEDY);
        return new GenerationPlan.PromptEntry(request, plan(request, planner), text);
    }

    private GenerationPlan.PromptEntry tokenPrompt(JsonNode ids, String suffix, RequestPlanner planner) {
        BatchBackend tok = service.tokenizer();
        if (tok == null) throw ApiError.badRequest("token-id prompts are not supported by this backend", "prompt");
        int[] tokens = new int[ids.size()];
        for (int i = 0; i < tokens.length; i++) {
            JsonNode t = ids.get(i);
            if (!t.isIntegralNumber() || t.longValue() < 0 || t.longValue() >= Integer.MAX_VALUE) {
                throw ApiError.badRequest("token-id prompts must hold non-negative integers", "prompt");
            }
            tokens[i] = t.intValue();
        }
        String text;
        try {
            text = tok.decode(tokens);
        } catch (RuntimeException e) {
            throw ApiError.badRequest("invalid token id in prompt: " + e.getMessage(), "prompt");
        }
        if (suffix != null) {
            CompletionRequest request = new CompletionRequest(text, suffix, SamplingParams.GREEDY);
            return new GenerationPlan.PromptEntry(request, plan(request, planner), text);
        }
        // checked after planning: with --context-shift the planner cuts a prompt over the context
        PlannedPrompt planned = planRaw(tokens, planner);
        checkLength(planned.promptIds());
        return new GenerationPlan.PromptEntry(CompletionRequest.of(text, SamplingParams.GREEDY), planned, text);
    }

    /**
     * The request planned on the engine (null when the backend plans itself). Planning errors a
     * client can fix are 400s: a prompt over the context, a model without FIM tokens.
     */
    PlannedPrompt plan(GenerationRequest request) {
        return plan(request, service.planner());
    }

    /** {@link #plan(GenerationRequest)} with {@code planner} (the service's, or one with a request's own n_keep). */
    PlannedPrompt plan(GenerationRequest request, RequestPlanner planner) {
        if (request instanceof CompletionRequest c && c.isInfill() && !service.info().supportsInfill()) {
            throw ApiError.badRequest("The model '" + model.name() + "' does not support fill-in-the-middle (no FIM tokens).", "suffix");
        }
        if (planner == null) return null;
        PlannedPrompt planned;
        try {
            planned = planner.plan(request);
        } catch (PromptTooLongException e) {
            throw ApiError.contextExceeded(e.promptTokens(), e.contextLength());
        } catch (BadRequestException e) {
            throw ApiError.badRequest(e.getMessage(), e.param());
        } catch (CodellmException e) {
            throw ApiError.badRequest(e.getMessage(), request instanceof ChatRequest ? "messages" : "prompt");
        }
        checkLength(planned.promptIds());
        return planned;
    }

    private PlannedPrompt planRaw(int[] tokens, RequestPlanner planner) {
        try {
            return planner.plan(tokens);
        } catch (PromptTooLongException e) {
            throw ApiError.contextExceeded(e.promptTokens(), e.contextLength());
        } catch (CodellmException e) {
            throw ApiError.badRequest(e.getMessage(), "prompt");
        }
    }

    /**
     * The planner for one request: with --context-shift, a request's own {@code field} (llama-server's
     * {@code n_keep}, ollama's {@code num_keep}; -1 keeps the whole prompt) replaces --keep for it.
     * Without context shift the field changes nothing, as in llama-server.
     */
    RequestPlanner planner(JsonNode body, String field) {
        RequestPlanner p = service.planner();
        if (p == null || body == null || !body.isObject()) return p;
        Integer keep = Fields.integer(body, field, null, -1, Integer.MAX_VALUE);
        return keep == null ? p : p.withKeep(keep);
    }

    private void checkLength(int[] tokens) {
        int ctx = service.info().contextLength();
        if (tokens.length >= ctx) throw ApiError.contextExceeded(tokens.length, ctx);
    }

    private static ChatMessage message(JsonNode m, int index) {
        String param = "messages[" + index + "]";
        if (!m.isObject()) throw ApiError.badRequest(param + " must be an object", param);
        String role = Fields.string(m, "role", null);
        if (role == null) throw ApiError.badRequest(param + ".role is required", param + ".role");
        role = switch (role) {
            case "system", "developer" -> "system";
            case "user", "assistant" -> role;
            default -> throw ApiError.badRequest(param + ".role '" + role + "' is not supported (system, developer, user, assistant)", param + ".role");
        };
        JsonNode content = Fields.get(m, "content");
        String text;
        if (content == null) {
            text = "";
        } else if (content.isTextual()) {
            text = content.textValue();
        } else if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.isObject() || !"text".equals(Fields.string(part, "type", null))) {
                    throw ApiError.badRequest(param + ".content parts must be of type 'text'", param + ".content");
                }
                sb.append(Fields.string(part, "text", ""));
            }
            text = sb.toString();
        } else {
            throw ApiError.badRequest(param + ".content must be a string or an array of text parts", param + ".content");
        }
        return new ChatMessage(role, text);
    }
}
