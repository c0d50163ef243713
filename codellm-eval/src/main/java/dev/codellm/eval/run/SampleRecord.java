package dev.codellm.eval.run;

/**
 * One sample as kept in {@code samples.jsonl}: {@code completion} is what the model wrote (or
 * the file gave), {@code solution} the whole program that is tested (EvalPlus's field).
 */
public record SampleRecord(String taskId, int completionId, String completion, String solution) {}
