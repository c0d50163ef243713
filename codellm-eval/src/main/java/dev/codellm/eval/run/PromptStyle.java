package dev.codellm.eval.run;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.CodellmException;
import dev.codellm.eval.data.DatasetId;
import java.util.List;

/** How a task is put to the model. */
public enum PromptStyle {
    /** The prompt completed as is (HumanEval signature + docstring, MBPP+ docstring), with stop sequences. */
    BASE("base"),
    /** A chat turn with EvalPlus's instruction and response prefix; the answer is sanitized. */
    INSTRUCT("instruct"),
    /** Original MBPP's 3-shot prompt (tasks 2-4 as examples); stops at [DONE]. */
    MBPP_3SHOT("mbpp-3shot");

    /**
     * EvalPlus's instruct prompt for a task: the instruction in a user message and the response
     * prefix as a trailing assistant message, which the answer continues (the same request for the
     * local engine and for an endpoint; {@code codellm serve} and llama-server continue it).
     */
    public static List<ChatMessage> instructMessages(String taskInstruction) {
        String user = INSTRUCTION + "\n```\n" + taskInstruction.strip() + "\n```\n";
        return List.of(ChatMessage.user(user), ChatMessage.assistant(RESPONSE_PREFIX));
    }

    /** EvalPlus's instruction prefix and the response it primes the model with. */
    public static final String INSTRUCTION = "Please provide a self-contained Python script that solves the following problem in a markdown code block:";
    public static final String RESPONSE_PREFIX = "Below is a Python script with a self-contained function that solves the problem and passes corresponding tests:\n```python\n";

    private final String cliName;

    PromptStyle(String cliName) { this.cliName = cliName; }

    public String cliName() { return cliName; }

    public static PromptStyle parse(String s) {
        for (PromptStyle p : values()) if (p.cliName.equalsIgnoreCase(s.strip())) return p;
        throw new CodellmException("unknown prompt style '" + s + "' (choose base, instruct or mbpp-3shot)");
    }

    /** mbpp-3shot for original MBPP, base otherwise. */
    public static PromptStyle defaultFor(DatasetId d) {
        return d == DatasetId.MBPP ? MBPP_3SHOT : BASE;
    }

    public void checkFits(DatasetId d) {
        if (this == MBPP_3SHOT && d != DatasetId.MBPP) throw new CodellmException("prompt style mbpp-3shot only applies to --dataset mbpp");
        if (this == BASE && d == DatasetId.MBPP) throw new CodellmException("original MBPP has no completion prompt: use --prompt-style mbpp-3shot or instruct");
    }

    /**
     * Stop sequences for completion styles: the usual ones (Codex/EvalPlus) that end a function
     * before the model starts the next top-level statement.
     */
    public List<String> stops(DatasetId d) {
        return switch (this) {
            case MBPP_3SHOT -> List.of("[DONE]", "\n[BEGIN]", "\nYou are an expert Python programmer");
            case INSTRUCT -> List.of();
            case BASE -> d.isMbpp()
                    ? List.of("\nif __name__", "\ndef main(", "\nprint(", "\n\"\"\"", "\nassert ", "\n```")
                    : List.of("\ndef ", "\nclass ", "\nif __name__", "\nprint(", "\n#", "\nassert ", "\n\"\"\"", "\n```");
        };
    }

    @Override
    public String toString() { return cliName; }
}
