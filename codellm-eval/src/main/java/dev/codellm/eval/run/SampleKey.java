package dev.codellm.eval.run;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The one resume key: which task, which of its samples. Every line of {@code samples.jsonl} and
 * {@code samples_results.jsonl} carries it as {@code task_id} and {@code completion_id}.
 */
public record SampleKey(String taskId, int completionId) {
    public static SampleKey of(SampleRecord s) {
        return new SampleKey(s.taskId(), s.completionId());
    }

    public static SampleKey of(JsonNode row) {
        return new SampleKey(row.path("task_id").asText(), row.path("completion_id").asInt());
    }
}
