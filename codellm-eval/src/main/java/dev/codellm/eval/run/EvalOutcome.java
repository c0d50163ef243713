package dev.codellm.eval.run;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a finished run tells its user: the text the CLI prints (scores and where the report is)
 * and the same figures as JSON ({@code --json}).
 */
public record EvalOutcome(String text, JsonNode json) {}
