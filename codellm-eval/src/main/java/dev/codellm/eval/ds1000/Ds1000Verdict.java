package dev.codellm.eval.ds1000;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.io.Json;

/**
 * The verdict on one DS-1000 program. Pass = the program raised nothing (upstream's rule).
 *
 * @param status        {@code pass}, {@code fail} or {@code timeout}
 * @param error         the exception ({@code Type: message}) or why there is no verdict; null on pass
 * @param missingModule the module a {@code ModuleNotFoundError} named, if the failure was one
 * @param network       whether the failure came from a network call (the sandbox is offline)
 * @param wallMillis    wall time of the program inside the sandbox
 */
public record Ds1000Verdict(String status, String error, String missingModule, boolean network, long wallMillis) {
    public static final String PASS = "pass", FAIL = "fail", TIMEOUT = "timeout";

    public boolean passed() { return PASS.equals(status); }

    /** Whether the failure is the machine's (a library not installed, no network) rather than the answer's. */
    public boolean environmental() { return !passed() && (missingModule != null || network); }

    /**
     * Why a problem whose <em>reference</em> failed like this cannot be scored here, e.g.
     * {@code needs tensorflow (not installed)}; null when the failure is not environmental.
     */
    public String notScoreableReason() {
        if (!environmental()) return null;
        if (missingModule != null) return "needs " + missingModule.split("\\.")[0] + " (not installed)";
        return "needs the network (the sandbox is offline)";
    }

    public static Ds1000Verdict failure(String status, String error, long wallMillis) {
        return new Ds1000Verdict(status, error, null, false, wallMillis);
    }

    /** The verdict fields of a results line (what {@link #into} wrote). */
    public static Ds1000Verdict fromJson(JsonNode n) {
        return new Ds1000Verdict(n.path("status").asText(FAIL), n.path("error").isTextual() ? n.path("error").asText() : null,
                n.path("missing_module").isTextual() ? n.path("missing_module").asText() : null, n.path("network").asBoolean(false),
                n.path("wall_ms").asLong());
    }

    /** Adds the verdict's fields to a results line. */
    public ObjectNode into(ObjectNode o) {
        o.put("status", status).put("passed", passed());
        if (error != null) o.put("error", error);
        if (missingModule != null) o.put("missing_module", missingModule);
        if (network) o.put("network", true);
        return o.put("wall_ms", wallMillis);
    }

    public ObjectNode toJson() {
        return into(Json.MAPPER.createObjectNode());
    }
}
