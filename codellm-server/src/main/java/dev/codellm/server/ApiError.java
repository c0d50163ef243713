package dev.codellm.server;

/**
 * An error answered to the client in OpenAI's shape:
 * {@code {"error": {"message", "type", "param", "code"}}} with the given HTTP status.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Integer retryAfterSeconds;

    public ApiError(int status, String type, String message, String param, String code, Integer retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiError badRequest(String message, String param) {
        return new ApiError(400, "invalid_request_error", message, param, null, null);
    }

    public static ApiError badRequest(String message, String param, String code) {
        return new ApiError(400, "invalid_request_error", message, param, code, null);
    }

    public static ApiError contextExceeded(int promptTokens, int contextLength) {
        return new ApiError(400, "invalid_request_error",
                "This model's maximum context length is " + contextLength + " tokens, but the prompt has "
                        + promptTokens + " tokens. Shorten the prompt.",
                "prompt", "context_length_exceeded", null);
    }

    public static ApiError unauthorized() {
        return new ApiError(401, "invalid_request_error",
                "Incorrect API key provided. Pass it as 'Authorization: Bearer <key>'.", null, "invalid_api_key", null);
    }

    public static ApiError notFound(String what) {
        return new ApiError(404, "invalid_request_error", what, null, "not_found", null);
    }

    public static ApiError overloaded(String message) {
        return new ApiError(503, "server_error", message, null, "server_overloaded", 1);
    }

    public int status() { return status; }
    public String type() { return type; }
    public String param() { return param; }
    public String code() { return code; }
    public Integer retryAfterSeconds() { return retryAfterSeconds; }
}
