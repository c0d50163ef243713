package dev.codellm.model.generate;

import dev.codellm.core.BadRequestException;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.CodellmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chat format: Jinja source, rendered as Hugging Face's {@code apply_chat_template} renders it
 * ({@link ChatTemplateEngine}), and what ends an answer. The source is a GGUF's
 * {@code tokenizer.chat_template} or one of the built-ins of {@link ChatTemplates}; the same
 * rendering serves inference ({@link #render}) and training ({@link #renderConversation}), and a
 * trained GGUF stores {@link #source()}, so the engine reads back the format the model learned.
 *
 * <p>Rendered text becomes a {@link Prompt}: where the template writes {@code bos_token} /
 * {@code eos_token} the prompt has the BOS / EOS token (one BOS, never a second one added on top);
 * other special-token text in it (e.g. {@code <|im_start|>}) is parsed into special tokens.
 */
public final class ChatTemplate {
    // Stand-ins for bos_token / eos_token and the end of a prefill while rendering (private-use code points).
    private static final String BOS = "\uE000bos\uE001", EOS = "\uE000eos\uE001", PREFILL_END = "\uE000prefill\uE001";

    private final String name;
    private final String source;
    private final List<String> stopStrings;
    private final List<String> stopTokens;

    /**
     * @param stopStrings texts that end the answer besides EOS/EOT (for turn terminators that a
     *                    vocabulary may lack as a special token, e.g. {@code <|im_end|>})
     * @param stopTokens  special-token names (looked up in the vocabulary) that end the answer
     */
    public ChatTemplate(String name, String source, List<String> stopStrings, List<String> stopTokens) {
        this.name = name;
        this.source = source;
        this.stopStrings = List.copyOf(stopStrings);
        this.stopTokens = List.copyOf(stopTokens);
    }

    /** Short name used by {@code --template} and reported in {@code ModelInfo}. */
    public String name() { return name; }

    /** The Jinja text (what a GGUF stores as {@code tokenizer.chat_template}). */
    public String source() { return source; }

    public List<String> stopStrings() { return stopStrings; }

    public List<String> stopTokens() { return stopTokens; }

    /**
     * The template's text for {@code messages}, exactly as {@code apply_chat_template(messages,
     * tokenize=False, add_generation_prompt=...)} gives it with these special-token texts. No turn
     * order is checked here (the template's own {@code raise_exception} may refuse one).
     */
    public String renderText(List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, String eosToken) {
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("role", m.role());
            o.put("content", m.content());
            msgs.add(o);
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", msgs);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        vars.put("tools", null);
        vars.put("documents", null);
        return ChatTemplateEngine.render(name, source, vars);
    }

    /**
     * The prompt for the assistant's next answer. A trailing assistant message is a prefill: the
     * conversation is rendered with it as a finished turn and cut where its text ends (so it sits
     * after the template's own separator, e.g. {@code "[/INST] "}), and the answer continues it.
     * A malformed turn order is a {@link BadRequestException} on {@code messages}.
     */
    public Prompt render(List<ChatMessage> messages) {
        ChatMessages.requireValidOrder(messages, name);
        ChatMessage last = messages.get(messages.size() - 1);
        String text;
        if (!last.role().equals("assistant")) {
            text = renderText(messages, true, BOS, EOS);
        } else if (last.content().isEmpty()) {
            text = renderText(messages.subList(0, messages.size() - 1), true, BOS, EOS);
        } else {
            List<ChatMessage> marked = new ArrayList<>(messages);
            marked.set(marked.size() - 1, ChatMessage.assistant(last.content() + PREFILL_END));
            String all = renderText(marked, false, BOS, EOS);
            int end = all.lastIndexOf(PREFILL_END);
            if (end < 0) {
                throw new BadRequestException("chat template " + name + " does not show the final assistant message, so the answer cannot continue it", "messages");
            }
            text = all.substring(0, end);
        }
        Prompt.Builder b = Prompt.builder();
        appendText(b, text, false);
        return b.build();
    }

    /**
     * A finished conversation as a training example: the assistant turns (their text up to the
     * template's end of turn, e.g. {@code " answer </s>"}) learned, the rest not. Each assistant
     * turn starts where the prompt {@link #render} would give for the turns before it ends, and is
     * encoded as the continuation the model writes after that prompt.
     */
    public LabeledPrompt renderConversation(List<ChatMessage> messages) {
        ChatMessages.requireValidOrder(messages, name);
        String all = renderText(messages, false, BOS, EOS);
        LabeledPrompt.Builder lb = new LabeledPrompt.Builder();
        int at = 0;
        for (int k = 0; k < messages.size(); k++) {
            if (!messages.get(k).role().equals("assistant")) continue;
            String prompt = renderText(messages.subList(0, k), true, BOS, EOS);
            String upTo = renderText(messages.subList(0, k + 1), false, BOS, EOS);
            if (!all.startsWith(upTo)) {
                throw new CodellmException("chat template " + name + " renders a turn differently once later turns follow, "
                        + "so its assistant turns cannot be marked for training (choose another with --template)");
            }
            int start = Math.max(at, commonPrefix(prompt, upTo));
            lb.add(segment(all.substring(at, start), at > 0), false);
            lb.add(segment(all.substring(start, upTo.length()), start > 0), true);
            at = upTo.length();
        }
        lb.add(segment(all.substring(at), at > 0), false);
        return lb.build();
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length()), i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) i++;
        return i;
    }

    private static Prompt segment(String text, boolean continuation) {
        Prompt.Builder b = Prompt.builder();
        appendText(b, text, continuation);
        return b.build();
    }

    /**
     * Rendered text as prompt parts: BOS/EOS where the template wrote them, the text between as
     * special-token-parsing text. Text right at the start of a {@code continuation} (it follows
     * earlier text, not a special token) is encoded without the tokenizer's dummy-prefix space.
     */
    private static void appendText(Prompt.Builder b, String text, boolean continuation) {
        int i = 0;
        while (i <= text.length()) {
            int bos = text.indexOf(BOS, i), eos = text.indexOf(EOS, i);
            int next = bos < 0 ? eos : eos < 0 ? bos : Math.min(bos, eos);
            String chunk = text.substring(i, next < 0 ? text.length() : next);
            if (!chunk.isEmpty()) {
                if (i == 0 && continuation) b.rawTextWithSpecials(chunk);
                else b.textWithSpecials(chunk);
            }
            if (next < 0) break;
            if (next == bos) b.bos();
            else b.eos();
            i = next + BOS.length(); // both stand-ins have the same length
        }
    }

    @Override
    public String toString() { return "ChatTemplate[" + name + "]"; }
}
