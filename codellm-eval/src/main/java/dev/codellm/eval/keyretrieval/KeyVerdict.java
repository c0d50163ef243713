package dev.codellm.eval.keyretrieval;

/** Whether a completion gave the key's integer first; {@code got} is the integer it gave, or null. */
public record KeyVerdict(boolean correct, Integer got) {}
