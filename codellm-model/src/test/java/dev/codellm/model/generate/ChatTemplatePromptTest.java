package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.BadRequestException;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rendered template text becomes prompt ids as Hugging Face's {@code apply_chat_template(...,
 * tokenize=True)} makes them (the rendered string tokenized with special tokens parsed, nothing
 * added): special-token text is the special token, BOS appears once where the template writes
 * {@code bos_token}. A trailing assistant message is continued; a training rendering marks exactly
 * the assistant turns.
 */
class ChatTemplatePromptTest {
    static Tokenizer deepseek, codeLlama;
    static JsonNode templates;

    @BeforeAll
    static void load() throws Exception {
        try (GgufFile f = GgufFile.open(SharedData.require("vocab/ggml-vocab-deepseek-coder.gguf"))) {
            deepseek = Tokenizer.fromGguf(f);
        }
        codeLlama = CodeLlamaPromptIdsTest.codeLlamaTokenizer();
        try (var in = ChatTemplatePromptTest.class.getResourceAsStream("chat_templates.json")) {
            templates = new ObjectMapper().readTree(in).get("templates");
        }
    }

    static ChatTemplate real(String name) {
        for (JsonNode t : templates) if (t.get("name").asText().equals(name)) return ChatTemplates.fromGguf(t.get("chat_template").asText());
        throw new IllegalArgumentException(name);
    }

    static final List<List<ChatMessage>> CONVERSATIONS = List.of(
            List.of(ChatMessage.user("Write a function that reverses a string.")),
            List.of(ChatMessage.system("Answer in Python only."), ChatMessage.user("sort a list"), ChatMessage.assistant("sorted(xs)"), ChatMessage.user("reverse?")));

    @Test
    void promptIdsAreTheRenderedTextTokenizedWithSpecialTokens() {
        check(real("deepseek-coder"), deepseek, 32013);
        check(ChatTemplates.byName("deepseek-coder"), deepseek, 32013);
        check(real("codellama-instruct"), codeLlama, 1);
        check(ChatTemplates.byName("llama2"), codeLlama, 1);
        check(real("qwen-chatml"), deepseek, -1);
    }

    private static void check(ChatTemplate t, Tokenizer tok, int bos) {
        TokenizerCodec codec = new TokenizerCodec(tok);
        String bosText = tok.tokenText(tok.bos().getAsInt()), eosText = tok.tokenText(tok.eos().getAsInt());
        for (List<ChatMessage> conv : CONVERSATIONS) {
            int[] ids = new PromptEncoder(codec).encode(t.render(conv));
            int[] hf = tok.encode(t.renderText(conv, true, bosText, eosText), false, true);
            assertArrayEquals(hf, ids, t.name() + " " + conv);
            if (bos >= 0) {
                assertEquals(bos, ids[0], "BOS first");
                assertTrue(ids[1] != bos, "BOS once, not doubled");
            }
        }
        if (t.name().equals("deepseek-coder")) {
            int[] ids = new PromptEncoder(codec).encode(t.render(CONVERSATIONS.get(1)));
            assertTrue(Arrays.stream(ids).anyMatch(i -> i == 32021), "<|EOT|> after the finished answer is the special token");
        }
    }

    @Test
    void aTrailingAssistantMessageIsContinued() {
        List<ChatMessage> primed = List.of(ChatMessage.user("Write f"), ChatMessage.assistant("```python\n"));
        assertEquals("<s>[INST] Write f [/INST] ```python\n", ChatTemplates.byName("llama2").render(primed).render(false));
        assertEquals("<|im_start|>user\nWrite f<|im_end|>\n<|im_start|>assistant\n```python\n", ChatTemplates.byName("chatml").render(primed).render(false));
        // an empty prefill is no prefill
        assertEquals(ChatTemplates.byName("chatml").render(primed.subList(0, 1)),
                ChatTemplates.byName("chatml").render(List.of(ChatMessage.user("Write f"), ChatMessage.assistant(""))));
        ChatTemplate hides = new ChatTemplate("hides", "{% for m in messages %}{% if m.role == 'user' %}{{ m.content }}{% endif %}{% endfor %}", List.of(), List.of());
        var e = assertThrows(BadRequestException.class, () -> hides.render(primed));
        assertTrue(e.getMessage().contains("does not show the final assistant message"), e.getMessage());
        assertEquals("messages", e.param());
    }

    @Test
    void aTemplateThatRaisesRefusesTheRequestWithItsMessage() {
        ChatTemplate magicoder = real("magicoder"); // its own template allows no system message
        LocalGenerator g = new LocalGenerator(new TokenizerCodec(deepseek), n -> { throw new AssertionError("not run"); },
                new ModelInfo("m", 512, false, magicoder.name()), magicoder, InfillFormat.PSM, null);
        var e = assertThrows(BadRequestException.class, () -> g.chat(ChatRequest.of(List.of(ChatMessage.system("s"), ChatMessage.user("u")),
                SamplingParams.GREEDY), t -> true));
        assertEquals("chat template magicoder refused the conversation: System messages are not allowed in this template.", e.getMessage());
        assertEquals("messages", e.param());
        var order = assertThrows(BadRequestException.class, () -> g.chat(ChatRequest.of(List.of(ChatMessage.user("a"), ChatMessage.user("b")),
                SamplingParams.GREEDY), t -> true));
        assertTrue(order.getMessage().contains("message 2 has role 'user' where 'assistant' was expected"), order.getMessage());
    }

    @Test
    void aBrokenTemplateIsAOneLineErrorNamingIt() {
        for (String broken : List.of("{% if messages %}never closed", "{{ messages[0]['content'] | no_such_filter }}", "{% for %}{% endfor %}")) {
            ChatTemplate t = ChatTemplates.fromGguf(broken);
            for (int i = 0; i < 2; i++) { // the second time from nothing cached
                var e = assertThrows(dev.codellm.core.CodellmException.class, () -> t.render(CONVERSATIONS.get(0)), broken);
                assertTrue(e.getMessage().startsWith("chat template gguf cannot be rendered: "), e.getMessage());
                assertTrue(e.getMessage().endsWith("choose a built-in one with --template"), e.getMessage());
                assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            }
        }
    }

    @Test
    void trainingRenderingMarksTheAssistantTurnsWithTheirEndOfTurn() {
        List<ChatMessage> conv = List.of(ChatMessage.system("S"), ChatMessage.user("u"), ChatMessage.assistant("a1"),
                ChatMessage.user("v"), ChatMessage.assistant("a2"));
        assertEquals(List.of("a1\n<|EOT|>\n", "a2\n<|EOT|>\n"), learned(real("deepseek-coder"), deepseek, conv));
        assertEquals(List.of("a1<|im_end|>\n", "a2<|im_end|>\n"), learned(real("qwen-chatml"), deepseek, conv));
        assertEquals(List.of(" a1 </s>", " a2 </s>"), learned(ChatTemplates.byName("llama2"), codeLlama, conv));
        // what is not learned, followed by what is, is the conversation as inference renders it
        LabeledPrompt lp = real("deepseek-coder").renderConversation(conv.subList(0, 3));
        TokenizerCodec codec = new TokenizerCodec(deepseek);
        int[] prompt = new PromptEncoder(codec).encode(real("deepseek-coder").render(conv.subList(0, 2)));
        LabeledIds ids = new PromptEncoder(codec).encode(lp);
        assertArrayEquals(prompt, Arrays.copyOf(ids.ids(), prompt.length), "the prompt part is the inference prompt");
        for (int i = 0; i < ids.size(); i++) assertEquals(i >= prompt.length, ids.learned()[i], "mark of id " + i);
    }

    /** The learned runs of a rendered conversation, decoded with special tokens shown. */
    private static List<String> learned(ChatTemplate t, Tokenizer tok, List<ChatMessage> conv) {
        LabeledIds ids = new PromptEncoder(new TokenizerCodec(tok)).encode(t.renderConversation(conv));
        List<String> runs = new ArrayList<>();
        int i = 0;
        while (i < ids.size()) {
            if (!ids.learned()[i]) { i++; continue; }
            int j = i;
            while (j < ids.size() && ids.learned()[j]) j++;
            StringBuilder sb = new StringBuilder();
            for (int k = i; k < j; k++) sb.append(new String(tok.tokenBytes(ids.ids()[k]), java.nio.charset.StandardCharsets.UTF_8));
            runs.add(sb.toString());
            i = j;
        }
        return runs;
    }
}
