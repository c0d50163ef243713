package dev.codellm.server;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Request fields that would change what the answer must be but that this server does not
 * implement: tool and function calling, and structured output. A request using them is refused
 * with a 400 naming the field rather than answered as if the field were absent (a client asking
 * for JSON or for a tool call must not get free text back silently). Their "off" values are
 * accepted, so clients that always send them keep working: {@code tools} empty or with
 * {@code tool_choice: "none"}, {@code tool_choice} {@code "none"} (or {@code "auto"} with no tools),
 * the same for {@code functions} / {@code function_call}, and
 * {@code response_format: {"type": "text"}}.
 */
final class UnsupportedFields {
    private UnsupportedFields() {}

    static void check(JsonNode body) {
        calls(body, "tools", "tool_choice", "tool calling");
        calls(body, "functions", "function_call", "function calling");
        JsonNode format = Fields.get(body, "response_format");
        if (format != null) {
            if (!format.isObject()) throw ApiError.badRequest("'response_format' must be an object", "response_format");
            String type = Fields.string(format, "type", null);
            if (!"text".equals(type)) {
                throw new ApiError(400, "invalid_request_error", "Unsupported value: 'response_format.type' "
                        + (type == null ? "is missing" : "'" + type + "'") + "; this server only produces free text ({\"type\": \"text\"}).",
                        "response_format", "unsupported_value", null);
            }
        }
    }

    /** A list of callables ({@code tools}/{@code functions}) and its choice field. */
    private static void calls(JsonNode body, String listField, String choiceField, String what) {
        JsonNode list = Fields.get(body, listField);
        if (list != null && !list.isArray()) throw ApiError.badRequest("'" + listField + "' must be an array", listField);
        boolean any = list != null && !list.isEmpty();
        JsonNode choice = Fields.get(body, choiceField);
        boolean none = choice != null && choice.isTextual() && choice.textValue().equals("none");
        boolean auto = choice != null && choice.isTextual() && choice.textValue().equals("auto");
        if (choice != null && !none && !(auto && !any)) throw unsupported(choiceField, what);
        if (any && !none) throw unsupported(listField, what);
    }

    private static ApiError unsupported(String field, String what) {
        return new ApiError(400, "invalid_request_error", "Unsupported parameter: '" + field + "' (" + what
                + " is not supported by this server).", field, "unsupported_parameter", null);
    }
}
