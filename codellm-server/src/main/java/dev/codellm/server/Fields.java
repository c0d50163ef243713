package dev.codellm.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed, range-checked reads of request fields. A field that is absent or JSON null gives the
 * default; a wrong type or an out-of-range value is a 400 naming the field, as OpenAI does.
 */
final class Fields {
    private Fields() {}

    static JsonNode get(JsonNode body, String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    static String string(JsonNode body, String name, String dflt) {
        JsonNode n = get(body, name);
        if (n == null) return dflt;
        if (!n.isTextual()) throw ApiError.badRequest("'" + name + "' must be a string", name);
        return n.textValue();
    }

    static boolean bool(JsonNode body, String name, boolean dflt) {
        JsonNode n = get(body, name);
        if (n == null) return dflt;
        if (!n.isBoolean()) throw ApiError.badRequest("'" + name + "' must be a boolean", name);
        return n.booleanValue();
    }

    static double number(JsonNode body, String name, double dflt, double min, double max) {
        JsonNode n = get(body, name);
        if (n == null) return dflt;
        if (!n.isNumber()) throw ApiError.badRequest("'" + name + "' must be a number", name);
        double v = n.doubleValue();
        if (!(v >= min && v <= max)) {
            throw ApiError.badRequest("'" + name + "' must be between " + min + " and " + max + ", got " + v, name);
        }
        return v;
    }

    static Integer integer(JsonNode body, String name, Integer dflt, long min, long max) {
        JsonNode n = get(body, name);
        if (n == null) return dflt;
        if (!n.isIntegralNumber() && !(n.isNumber() && n.doubleValue() == Math.rint(n.doubleValue()))) {
            throw ApiError.badRequest("'" + name + "' must be an integer", name);
        }
        long v = n.longValue();
        if (v < min || v > max) throw ApiError.badRequest("'" + name + "' must be between " + min + " and " + max + ", got " + v, name);
        return (int) v;
    }

    static Long seed(JsonNode body) {
        JsonNode n = get(body, "seed");
        if (n == null) return null;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw ApiError.badRequest("'seed' must be an integer", "seed");
        return n.longValue();
    }

    /** {@code stop}: a string or an array of up to 4 strings (OpenAI's limit; we allow 16). */
    static List<String> stop(JsonNode body) {
        JsonNode n = get(body, "stop");
        if (n == null) return List.of();
        if (n.isTextual()) return List.of(n.textValue());
        if (!n.isArray()) throw ApiError.badRequest("'stop' must be a string or an array of strings", "stop");
        if (n.size() > 16) throw ApiError.badRequest("'stop' may hold at most 16 strings", "stop");
        List<String> out = new ArrayList<>();
        for (JsonNode s : n) {
            if (!s.isTextual()) throw ApiError.badRequest("'stop' must be a string or an array of strings", "stop");
            out.add(s.textValue());
        }
        return out;
    }

    /**
     * OpenAI's {@code logit_bias}: an object from token id (as a string) to a bias in [-100, 100];
     * ids must lie inside the vocabulary of {@code vocabSize} tokens.
     */
    static Map<Integer, Double> logitBias(JsonNode body, int vocabSize) {
        JsonNode n = get(body, "logit_bias");
        if (n == null) return Map.of();
        if (!n.isObject()) throw ApiError.badRequest("'logit_bias' must be an object mapping token ids to numbers", "logit_bias");
        Map<Integer, Double> out = new HashMap<>();
        for (var e : n.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException notAnId) {
                throw ApiError.badRequest("'logit_bias' keys must be token ids, got '" + e.getKey() + "'", "logit_bias");
            }
            if (id < 0 || id >= vocabSize) {
                throw ApiError.badRequest("'logit_bias' token id " + id + " is outside the vocabulary of " + vocabSize + " tokens", "logit_bias");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || !(v.doubleValue() >= -100 && v.doubleValue() <= 100)) {
                throw ApiError.badRequest("'logit_bias' values must be numbers between -100 and 100, got " + v + " for token " + id, "logit_bias");
            }
            out.put(id, v.doubleValue());
        }
        return out;
    }
}
