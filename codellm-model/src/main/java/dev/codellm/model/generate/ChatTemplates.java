package dev.codellm.model.generate;

import java.util.List;
import java.util.Locale;

/**
 * The known chat templates, chosen by name ({@code --template}) or recognised from the Jinja text a
 * GGUF stores in {@code tokenizer.chat_template} by characteristic substrings (we do not run Jinja).
 */
public final class ChatTemplates {
    /** The template used when a model names none: Code Llama Instruct's. */
    public static final String DEFAULT = "llama2";

    private ChatTemplates() {}

    public static List<String> names() {
        return List.of("llama2", "magicoder", "chatml", "deepseek-coder");
    }

    /** The template called {@code name} (case-insensitive; {@code codellama} is an alias of llama2). */
    public static ChatTemplate byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "llama2", "llama-2", "codellama", "code-llama", "inst" -> new Llama2ChatTemplate();
            case "magicoder" -> new MagicoderChatTemplate();
            case "chatml" -> new ChatMlTemplate();
            case "deepseek-coder", "deepseek" -> new DeepseekCoderChatTemplate();
            default -> throw new IllegalArgumentException("unknown chat template '" + name + "' (known: " + String.join(", ", names()) + ")");
        };
    }

    /** The template whose markers appear in {@code jinja}, or null when none is recognised. */
    public static String recognise(String jinja) {
        if (jinja == null || jinja.isBlank()) return null;
        if (jinja.contains("<|im_start|>")) return "chatml";
        if (jinja.contains("@@ Instruction")) return "magicoder";
        if (jinja.contains("### Instruction") && jinja.contains("### Response")) return "deepseek-coder";
        if (jinja.contains("[INST]")) return "llama2";
        return null;
    }

    /**
     * The template to use: {@code override} when given, else the one recognised from the model's
     * {@code tokenizer.chat_template}, else {@link #DEFAULT}.
     */
    public static ChatTemplate choose(String override, String ggufChatTemplate) {
        if (override != null && !override.isBlank()) return byName(override);
        String recognised = recognise(ggufChatTemplate);
        return byName(recognised != null ? recognised : DEFAULT);
    }
}
