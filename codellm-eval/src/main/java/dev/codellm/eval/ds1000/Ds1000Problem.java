package dev.codellm.eval.ds1000;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Jsonl;

/**
 * One DS-1000 problem of the simplified format (see datasets/ds1000/SOURCE.md).
 *
 * @param taskId        the problem id as text ({@code "0"} .. {@code "999"}), the run files' {@code task_id}
 * @param problemId     {@code metadata.problem_id}
 * @param library       {@code metadata.library}
 * @param perturbation  {@code metadata.perturbation_type}: Origin, Surface, Semantic, Difficult-Rewrite
 * @param prompt        the completion-format prompt a model continues
 * @param referenceCode the reference solution (what goes in place of {@code [insert]})
 * @param codeContext   the test program: defines {@code test_execution(solution)} (and maybe {@code test_string})
 */
public record Ds1000Problem(String taskId, int problemId, Ds1000Library library, String perturbation, String prompt,
                            String referenceCode, String codeContext) {

    /** A record of the data file; errors name the line. */
    public static Ds1000Problem parse(Jsonl.Line line) {
        JsonNode r = line.json(), meta = r.path("metadata");
        for (String f : new String[] {"prompt", "reference_code", "code_context"}) {
            if (!r.path(f).isTextual()) throw new CodellmException(line.where() + ": DS-1000 record lacks '" + f + "'");
        }
        if (!meta.path("problem_id").isInt() || !meta.path("library").isTextual()) {
            throw new CodellmException(line.where() + ": DS-1000 record lacks metadata.problem_id or metadata.library");
        }
        int id = meta.get("problem_id").asInt();
        return new Ds1000Problem(Integer.toString(id), id, Ds1000Library.fromData(meta.get("library").asText(), line.where()),
                meta.path("perturbation_type").asText(""), r.get("prompt").asText(), r.get("reference_code").asText(),
                r.get("code_context").asText());
    }
}
