package dev.codellm.model.generate;

import dev.codellm.core.CodellmException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The built-in chat templates, chosen by name ({@code --template}) for files without a
 * {@code tokenizer.chat_template} or to override it, and the template of a GGUF file. Each
 * built-in is Jinja text (resources {@code templates/NAME.jinja}) rendered like any file's:
 * <ul>
 *   <li>{@code llama2}: Code Llama Instruct's own template (codellama/CodeLlama-*-Instruct-hf
 *       tokenizer_config.json), which gives the ids of Meta's reference {@code chat_completion};</li>
 *   <li>{@code magicoder}: Magicoder's inference prompt (its README, as EvalPlus uses it), a system
 *       message replacing the preamble, earlier answers closed by EOS;</li>
 *   <li>{@code chatml}: {@code <|im_start|>role\ncontent<|im_end|>\n}, ends at {@code <|im_end|>};</li>
 *   <li>{@code deepseek-coder}: DeepSeek-Coder Instruct's template with a newline after the final
 *       {@code ### Response:}, ends at {@code <|EOT|>}.</li>
 * </ul>
 */
public final class ChatTemplates {
    /** The template used when a model names none: Code Llama Instruct's. */
    public static final String DEFAULT = "llama2";

    private ChatTemplates() {}

    public static List<String> names() {
        return List.of("llama2", "magicoder", "chatml", "deepseek-coder");
    }

    /** The built-in called {@code name} (case-insensitive; {@code codellama} is an alias of llama2). */
    public static ChatTemplate byName(String name) {
        String id = switch (name.toLowerCase(Locale.ROOT)) {
            case "llama2", "llama-2", "codellama", "code-llama", "inst" -> "llama2";
            case "magicoder" -> "magicoder";
            case "chatml" -> "chatml";
            case "deepseek-coder", "deepseek" -> "deepseek-coder";
            default -> throw new IllegalArgumentException("unknown chat template '" + name + "' (known: " + String.join(", ", names()) + ")");
        };
        return new ChatTemplate(id, builtInSource(id), stopStrings(id), stopStrings(id));
    }

    /**
     * A GGUF's {@code tokenizer.chat_template}, rendered as it is; named (and given turn-end stop
     * tokens) after the built-in family its markers show, else {@code gguf}.
     */
    public static ChatTemplate fromGguf(String jinja) {
        for (String id : names()) if (builtInSource(id).equals(jinja)) return byName(id);
        String family = recognise(jinja);
        return new ChatTemplate(family != null ? family : "gguf", jinja,
                family != null ? stopStrings(family) : List.of(), family != null ? stopStrings(family) : List.of());
    }

    /** The family whose markers appear in {@code jinja}, or null when none is recognised. */
    public static String recognise(String jinja) {
        if (jinja == null || jinja.isBlank()) return null;
        if (jinja.contains("<|im_start|>")) return "chatml";
        if (jinja.contains("@@ Instruction")) return "magicoder";
        if (jinja.contains("### Instruction") && jinja.contains("### Response")) return "deepseek-coder";
        if (jinja.contains("[INST]")) return "llama2";
        return null;
    }

    /**
     * The template to use: {@code override} when given, else the model's
     * {@code tokenizer.chat_template}, else {@link #DEFAULT}.
     */
    public static ChatTemplate choose(String override, String ggufChatTemplate) {
        if (override != null && !override.isBlank()) return byName(override);
        if (ggufChatTemplate != null && !ggufChatTemplate.isBlank()) return fromGguf(ggufChatTemplate);
        return byName(DEFAULT);
    }

    /** Turn terminators that may come out as text or as a special token. */
    private static List<String> stopStrings(String id) {
        return switch (id) {
            case "chatml" -> List.of("<|im_end|>");
            case "deepseek-coder" -> List.of("<|EOT|>");
            default -> List.of();
        };
    }

    private static String builtInSource(String id) {
        String resource = "templates/" + id + ".jinja";
        try (InputStream in = ChatTemplates.class.getResourceAsStream(resource)) {
            if (in == null) throw new CodellmException("built-in chat template missing from the jar: " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CodellmException("cannot read built-in chat template " + resource + ": " + e.getMessage(), e);
        }
    }
}
