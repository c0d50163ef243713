package dev.codellm.core.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.BadRequestException;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import dev.codellm.core.Usage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@link Generator} backed by any OpenAI-compatible HTTP endpoint (OpenAI, llama.cpp server,
 * vLLM, our own {@code codellm serve}). Completions and infill go to {@code /v1/completions}
 * (the suffix in OpenAI's {@code suffix} field), chat to {@code /v1/chat/completions}.
 *
 * <p>A request whose sink is not {@link TokenSink#NONE} is streamed (SSE) so text reaches the
 * sink as it is produced; otherwise one JSON response is read. 429, 5xx, timeouts and I/O errors
 * are retried with exponential backoff (bounded by {@link OpenAiConfig#maxRetries()}), honouring
 * a server's {@code Retry-After}; a streamed request is never retried once text was delivered, as
 * the sink cannot take it back. Other 4xx fail at once with the server's error message, as a
 * {@link BadRequestException} (the request's fault: callers must not repeat it). A refused
 * connection to an endpoint that has never answered is a wrong URL or a server not started, not
 * a blip: it is retried at most {@value #NEVER_REACHED_RETRIES} times, 1 s apart, so a closed
 * port is reported in seconds; once the endpoint has answered, a refusal (a restart) is retried
 * like any I/O error.
 *
 * <p>Thread-safe: one instance may serve many concurrent requests (eval runs {@code --jobs} of them).
 */
public final class OpenAiGenerator implements Generator {
    private static final ObjectMapper JSON = dev.codellm.core.io.Json.MAPPER;
    static final int NEVER_REACHED_RETRIES = 2;

    private final OpenAiConfig config;
    private final HttpClient http;
    /** Whether any request got an HTTP response: until then a refused connection is not retried for long. */
    private volatile boolean reached;

    public OpenAiGenerator(OpenAiConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** Endpoint and model with defaults; the key comes from {@code OPENAI_API_KEY} if set. */
    public static OpenAiGenerator open(String endpoint, String model) {
        return new OpenAiGenerator(OpenAiConfig.of(endpoint, model));
    }

    public OpenAiConfig config() { return config; }

    @Override
    public ModelInfo info() {
        return new ModelInfo(config.model(), config.contextLength(), true, null);
    }

    @Override
    public Completion complete(CompletionRequest request, TokenSink sink) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", config.model());
        body.put("prompt", request.prompt());
        if (request.suffix() != null) body.put("suffix", request.suffix());
        putSampling(body, request.sampling());
        return send("/completions", body, sink, false);
    }

    @Override
    public Completion chat(ChatRequest request, TokenSink sink) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", config.model());
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : request.messages()) messages.addObject().put("role", m.role()).put("content", m.content());
        putSampling(body, request.sampling());
        Completion c = send("/chat/completions", body, sink, true);
        // A trailing assistant message is a prefill: the text is what follows it. llama-server and
        // codellm serve return only the continuation; an API that answers anew (OpenAI's) may
        // repeat the prefill, which is dropped.
        String prefill = request.prefill();
        if (prefill != null && !prefill.isEmpty() && c.text().startsWith(prefill)) {
            return new Completion(c.text().substring(prefill.length()), c.finishReason(), c.usage());
        }
        return c;
    }

    private static void putSampling(ObjectNode body, SamplingParams s) {
        body.put("max_tokens", s.maxTokens());
        body.put("temperature", s.temperature());
        body.put("top_p", s.topP());
        if (!s.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            s.stop().forEach(stop::add);
        }
        if (s.seed() != null) body.put("seed", s.seed());
        if (s.presencePenalty() != 0) body.put("presence_penalty", s.presencePenalty());
        if (s.frequencyPenalty() != 0) body.put("frequency_penalty", s.frequencyPenalty());
        if (!s.logitBias().isEmpty()) {
            ObjectNode bias = body.putObject("logit_bias");
            s.logitBias().forEach((id, b) -> bias.put(Integer.toString(id), b));
        }
        // Not in OpenAI's API (it rejects unknown fields), understood by llama.cpp and vLLM:
        // sent only when the user asked for them.
        if (s.topK() > 0) body.put("top_k", s.topK());
        if (s.minP() > 0) body.put("min_p", s.minP());
        if (s.repeatPenalty() != 1.0) body.put("repeat_penalty", s.repeatPenalty());
    }

    private Completion send(String path, ObjectNode body, TokenSink sink, boolean chat) {
        boolean stream = sink != null && sink != TokenSink.NONE;
        if (stream) body.put("stream", true);
        URI uri = URI.create(config.baseUrl() + path);
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (config.apiKey() != null && !config.apiKey().isBlank()) rb.header("Authorization", "Bearer " + config.apiKey());
        HttpRequest req = rb.build();

        Duration backoff = config.initialBackoff();
        String lastProblem = null;
        int maxRetries = config.maxRetries();
        for (int attempt = 0; ; attempt++) {
            Duration wait = backoff;
            try {
                HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                reached = true;
                int status = resp.statusCode();
                if (status == 200) {
                    try (InputStream in = resp.body()) {
                        return stream ? readStream(in, sink, chat, uri) : readJson(in.readAllBytes(), sink, chat, uri);
                    }
                }
                JsonNode error = errorBody(resp);
                String detail = errorMessage(error);
                lastProblem = "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
                if (status != 429 && status < 500) {
                    JsonNode param = error.path("error").path("param");
                    throw new BadRequestException("endpoint " + uri + " rejected the request: " + lastProblem, param.isTextual() ? param.asText() : null);
                }
                Duration retryAfter = retryAfter(resp);
                if (retryAfter != null) wait = retryAfter;
            } catch (StreamAlreadyStarted e) {
                throw new CodellmException("stream from " + uri + " broke after text was delivered: " + e.getCause().getMessage(), e.getCause());
            } catch (HttpTimeoutException e) {
                lastProblem = "timed out after " + config.requestTimeout().toSeconds() + " s";
            } catch (ConnectException e) {
                lastProblem = "I/O error: connection refused (nothing answers at " + uri.getHost() + ":" + port(uri) + ")";
                if (!reached) {
                    maxRetries = Math.min(maxRetries, NEVER_REACHED_RETRIES);
                    wait = min(wait, Duration.ofSeconds(1));
                }
            } catch (IOException e) {
                lastProblem = "I/O error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CodellmException("interrupted while calling " + uri);
            }
            if (attempt >= maxRetries) {
                throw new CodellmException("endpoint " + uri + " failed after " + (attempt + 1) + " attempt(s): " + lastProblem);
            }
            sleep(min(wait, config.maxBackoff()));
            backoff = min(backoff.multipliedBy(2), config.maxBackoff());
        }
    }

    private Completion readJson(byte[] bytes, TokenSink sink, boolean chat, URI uri) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new CodellmException("endpoint " + uri + " returned malformed JSON: " + firstLine(e.getMessage()));
        }
        JsonNode choice = root.path("choices").path(0);
        if (choice.isMissingNode()) throw new CodellmException("endpoint " + uri + " returned no choices: " + abbreviate(root.toString()));
        JsonNode textNode = chat ? choice.path("message").path("content") : choice.path("text");
        String text = textNode.isTextual() ? textNode.asText() : "";
        if (sink != null) sink.accept(text);
        JsonNode usage = root.path("usage");
        return new Completion(text, finishReason(choice.path("finish_reason").asText("stop")),
                new Usage(usage.path("prompt_tokens").asInt(0), usage.path("completion_tokens").asInt(0)));
    }

    /** Server-sent events: {@code data: {chunk}} lines until {@code data: [DONE]}. */
    private Completion readStream(InputStream in, TokenSink sink, boolean chat, URI uri) throws IOException {
        StringBuilder text = new StringBuilder();
        FinishReason finish = FinishReason.STOP;
        int promptTokens = 0, completionTokens = 0, chunks = 0;
        boolean delivered = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("data:")) continue; // comments, event names, blank separators
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) break;
                JsonNode chunk;
                try {
                    chunk = JSON.readTree(data);
                } catch (JsonProcessingException e) {
                    throw new CodellmException("endpoint " + uri + " sent a malformed stream chunk: " + abbreviate(data));
                }
                if (chunk.has("error")) throw new CodellmException("endpoint " + uri + " reported an error mid-stream: " + chunk.path("error").path("message").asText(chunk.path("error").toString()));
                JsonNode usage = chunk.path("usage");
                if (usage.isObject()) {
                    promptTokens = usage.path("prompt_tokens").asInt(promptTokens);
                    completionTokens = usage.path("completion_tokens").asInt(completionTokens);
                }
                JsonNode choice = chunk.path("choices").path(0);
                if (choice.isMissingNode()) continue;
                JsonNode piece = chat ? choice.path("delta").path("content") : choice.path("text");
                if (piece.isTextual() && !piece.asText().isEmpty()) {
                    chunks++;
                    text.append(piece.asText());
                    delivered = true;
                    if (!sink.accept(piece.asText())) {
                        finish = FinishReason.CANCELLED;
                        break; // closing the stream tells the server to stop
                    }
                }
                JsonNode fr = choice.path("finish_reason");
                if (fr.isTextual()) finish = finishReason(fr.asText());
            }
        } catch (IOException e) {
            if (delivered) throw new StreamAlreadyStarted(e);
            throw e;
        }
        // Servers that send no usage in streams: count chunks (≈ one token each) rather than report 0.
        if (completionTokens == 0) completionTokens = chunks;
        return new Completion(text.toString(), finish, new Usage(promptTokens, completionTokens));
    }

    private static FinishReason finishReason(String s) {
        return switch (s) {
            case "length" -> FinishReason.LENGTH;
            case "cancelled" -> FinishReason.CANCELLED;
            default -> FinishReason.STOP;
        };
    }

    /** The error response as JSON; a plain-text body becomes {@code {"raw": text}}. */
    private static JsonNode errorBody(HttpResponse<InputStream> resp) {
        String raw;
        try (InputStream in = resp.body()) {
            raw = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(raw);
            if (n != null && n.isObject()) return n;
        } catch (IOException notJson) {
            // fall through: plain-text error body
        }
        return JSON.createObjectNode().put("raw", raw);
    }

    private static String errorMessage(JsonNode n) {
        JsonNode msg = n.path("error").path("message");
        if (msg.isTextual()) return msg.asText();
        if (n.path("error").isTextual()) return n.path("error").asText();
        if (n.path("raw").isTextual()) return abbreviate(n.path("raw").asText());
        return abbreviate(n.toString());
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) return uri.getPort();
        return "https".equals(uri.getScheme()) ? 443 : 80;
    }

    private static Duration retryAfter(HttpResponse<?> resp) {
        return resp.headers().firstValue("Retry-After").map(v -> {
            try {
                return Duration.ofMillis((long) (Double.parseDouble(v.strip()) * 1000));
            } catch (NumberFormatException httpDate) {
                return null; // HTTP-date form: use our own backoff
            }
        }).orElse(null);
    }

    private static void sleep(Duration d) {
        // ±20 % jitter so parallel workers hitting the same 429 do not retry in lockstep.
        long ms = d.toMillis();
        if (ms > 0) ms = (long) (ms * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodellmException("interrupted while waiting to retry");
        }
    }

    private static Duration min(Duration a, Duration b) { return a.compareTo(b) <= 0 ? a : b; }

    private static String abbreviate(String s) {
        s = s.replace('\n', ' ');
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    /** An I/O failure after part of a stream reached the sink: must not be retried. */
    private static final class StreamAlreadyStarted extends IOException {
        StreamAlreadyStarted(IOException cause) { super(cause); }
    }
}
