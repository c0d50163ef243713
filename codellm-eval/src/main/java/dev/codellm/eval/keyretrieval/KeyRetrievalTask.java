package dev.codellm.eval.keyretrieval;

/**
 * One synthetic key-retrieval file: {@code prompt} is a Python file of about {@code lengthTokens}
 * tokens whose function {@code function} (at relative position {@code position} among the file's
 * functions) returns {@code answer}; the prompt ends with {@code assert function() == } for the
 * model to complete.
 */
public record KeyRetrievalTask(String taskId, int lengthTokens, double position, int sample, String function, int answer,
                               String prompt) {}
