package dev.codellm.core.openai;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach an OpenAI-compatible endpoint.
 *
 * @param baseUrl         base URL ending in {@code /v1} (see {@link #normalizeBaseUrl(String)})
 * @param model           the {@code model} field sent with every request
 * @param apiKey          bearer token, or null to send no Authorization header
 * @param connectTimeout  TCP connect timeout
 * @param requestTimeout  limit for one whole request (for streaming: until the response headers)
 * @param maxRetries      retries after the first attempt on 429, 5xx and I/O errors (0 = none)
 * @param initialBackoff  wait before the first retry; doubled each retry, capped at {@code maxBackoff}
 * @param maxBackoff      longest single wait, also the cap on a server's Retry-After
 * @param contextLength   what {@code info()} reports (the API does not tell us)
 */
public record OpenAiConfig(
        URI baseUrl,
        String model,
        String apiKey,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxRetries,
        Duration initialBackoff,
        Duration maxBackoff,
        int contextLength) {

    public static final String API_KEY_ENV = "OPENAI_API_KEY";

    public OpenAiConfig {
        if (baseUrl == null) throw new IllegalArgumentException("endpoint URL is required");
        if (model == null || model.isBlank()) throw new IllegalArgumentException("API model name is required (--api-model)");
        if (maxRetries < 0) throw new IllegalArgumentException("max retries must be >= 0");
    }

    /** Defaults: key from {@code OPENAI_API_KEY}, 10 s connect, 10 min request, 5 retries from 1 s up to 30 s. */
    public static OpenAiConfig of(String endpoint, String model) {
        return new OpenAiConfig(normalizeBaseUrl(endpoint), model, System.getenv(API_KEY_ENV),
                Duration.ofSeconds(10), Duration.ofMinutes(10), 5, Duration.ofSeconds(1), Duration.ofSeconds(30), 4096);
    }

    public OpenAiConfig withApiKey(String key) {
        return new OpenAiConfig(baseUrl, model, key, connectTimeout, requestTimeout, maxRetries, initialBackoff, maxBackoff, contextLength);
    }

    public OpenAiConfig withTimeouts(Duration connect, Duration request) {
        return new OpenAiConfig(baseUrl, model, apiKey, connect, request, maxRetries, initialBackoff, maxBackoff, contextLength);
    }

    public OpenAiConfig withRetries(int retries, Duration initial, Duration max) {
        return new OpenAiConfig(baseUrl, model, apiKey, connectTimeout, requestTimeout, retries, initial, max, contextLength);
    }

    public OpenAiConfig withContextLength(int n) {
        return new OpenAiConfig(baseUrl, model, apiKey, connectTimeout, requestTimeout, maxRetries, initialBackoff, maxBackoff, n);
    }

    /**
     * Accepts {@code http://host:port}, {@code http://host:port/} or {@code http://host:port/v1}
     * (what users paste) and returns the form ending in {@code /v1} without a trailing slash.
     */
    public static URI normalizeBaseUrl(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) throw new IllegalArgumentException("endpoint URL is required (--endpoint)");
        String s = endpoint.strip();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        for (String tail : new String[] {"/chat/completions", "/completions"}) {
            if (s.endsWith(tail)) s = s.substring(0, s.length() - tail.length());
        }
        if (!s.endsWith("/v1")) s = s + "/v1";
        URI uri;
        try {
            uri = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad endpoint URL '" + endpoint + "': " + e.getMessage());
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("endpoint must be an http(s) URL like http://localhost:8080, got '" + endpoint + "'");
        }
        return uri;
    }
}
