package dev.codellm.decontam;

import java.io.Serializable;

/**
 * One text to protect: a field (prompt, canonical solution, ...) of one benchmark task.
 *
 * @param benchmark short benchmark name, e.g. {@code humaneval}, {@code mbppplus}, or a user file's name
 * @param taskId    the task id as the benchmark writes it, e.g. {@code HumanEval/0}
 * @param field     which field the text came from
 * @param text      the raw text
 * @param solution  whether the field is a reference solution (what the {@code exact} method protects)
 */
public record BenchmarkItem(String benchmark, String taskId, String field, String text, boolean solution)
        implements Serializable {

    /** What a removed record lists: {@code benchmark:taskId}, e.g. {@code humaneval:HumanEval/0}. */
    public String label() {
        return benchmark + ":" + taskId;
    }
}
