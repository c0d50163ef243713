package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one language in a MultiPL-E run; written as the language's
 * {@code pass_at_k.json} and as a row of {@code summary.json}, and read back by
 * {@code codellm eval compare}.
 *
 * @param language        the language
 * @param missingPackages non-empty when the toolchain is absent: the language was not scored
 * @param problems        problems evaluated
 * @param samplesPerTask  completions per problem (n)
 * @param passAtK         {@code pass@1}, {@code pass@10}, ... over all problems
 * @param statusCounts    how many programs ended in each status
 * @param flagged         problems whose tests cannot pass for any completion (C#'s {@code .Equals}
 *                        on lists in MultiPL-E v2.x), still counted in {@code passAtK}
 * @param passAtKUnflagged the same scores over the problems that are not flagged
 */
public record LanguageScore(MultiplLanguage language, List<String> missingPackages, int problems, int samplesPerTask,
                            Map<String, Double> passAtK, Map<Status, Integer> statusCounts, int flagged,
                            Map<String, Double> passAtKUnflagged) {

    /** A language that was not run because its toolchain is absent. */
    public static LanguageScore toolchainMissing(MultiplLanguage language, List<String> packages, int problems, int samplesPerTask) {
        return new LanguageScore(language, packages, problems, samplesPerTask, Map.of(), Map.of(), 0, Map.of());
    }

    public boolean scored() { return missingPackages.isEmpty(); }

    public double passAt1() { return passAtK.getOrDefault("pass@1", Double.NaN); }

    public int count(Status status) { return statusCounts.getOrDefault(status, 0); }

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode().put("language", language.code()).put("name", language.displayName());
        if (!scored()) {
            return o.put("status", "toolchain missing").put("install", String.join(" ", missingPackages))
                    .put("problems", problems).put("samples_per_task", samplesPerTask);
        }
        o.put("problems", problems).put("samples_per_task", samplesPerTask);
        passAtK.forEach(o::put);
        ObjectNode counts = o.putObject("status_counts");
        statusCounts.forEach((k, v) -> counts.put(k.name(), v));
        if (flagged > 0) {
            o.put("flagged_unpassable", flagged);
            ObjectNode u = o.putObject("excluding_flagged");
            passAtKUnflagged.forEach(u::put);
        }
        return o;
    }

    /** Reads what {@link #toJson()} wrote; {@code where} names the file for error messages. */
    public static LanguageScore fromJson(JsonNode o, String where) {
        if (!o.path("language").isTextual()) throw new CodellmException(where + ": not a MultiPL-E language score (no \"language\")");
        MultiplLanguage lang;
        try {
            lang = MultiplLanguage.fromCode(o.get("language").asText());
        } catch (IllegalArgumentException e) {
            throw new CodellmException(where + ": " + e.getMessage());
        }
        int problems = o.path("problems").asInt(), n = o.path("samples_per_task").asInt(1);
        if ("toolchain missing".equals(o.path("status").asText())) {
            String install = o.path("install").asText("").strip();
            return toolchainMissing(lang, install.isEmpty() ? List.of("?") : List.of(install.split("\\s+")), problems, n);
        }
        Map<String, Double> passAtK = passAtK(o);
        if (!passAtK.containsKey("pass@1")) throw new CodellmException(where + ": " + lang.code() + " has no pass@1");
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        o.path("status_counts").properties().forEach(e -> {
            try {
                counts.put(Status.valueOf(e.getKey()), e.getValue().asInt());
            } catch (IllegalArgumentException ex) {
                throw new CodellmException(where + ": unknown status '" + e.getKey() + "'");
            }
        });
        int flagged = o.path("flagged_unpassable").asInt(0);
        return new LanguageScore(lang, List.of(), problems, n, passAtK, counts, flagged,
                flagged > 0 ? passAtK(o.path("excluding_flagged")) : passAtK);
    }

    private static Map<String, Double> passAtK(JsonNode o) {
        Map<String, Double> m = new LinkedHashMap<>();
        o.properties().forEach(e -> {
            if (e.getKey().startsWith("pass@") && e.getValue().isNumber()) m.put(e.getKey(), e.getValue().asDouble());
        });
        return m;
    }
}
