package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.BadRequestException;
import dev.codellm.core.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected strings written by hand from the reference code cited in each class's javadoc. */
class PromptFormatTest {
    static final String DEEPSEEK_DEFAULT_SYSTEM = "You are an AI programming assistant, utilizing the Deepseek Coder model, "
            + "developed by Deepseek Company, and you only answer questions related to computer science. "
            + "For politically sensitive questions, security and privacy issues, and other non-computer science "
            + "questions, you will refuse to answer\n";

    @Test
    void infillPsmHasCodeLlamaLayout() {
        Prompt p = InfillFormat.PSM.prompt("def f(x):\n    ", "\n    return y\n");
        // "<PRE> {pre} <SUF>{suf} <MID>" from the reference docstring, BOS first
        assertEquals("<s> <PRE> def f(x):\n     <SUF>\n    return y\n <MID>", p.render(true));
        assertEquals(List.of(new PromptPart.Bos(), new PromptPart.Fim(PromptPart.FimToken.PRE),
                new PromptPart.Text("def f(x):\n    ", false), new PromptPart.Fim(PromptPart.FimToken.SUF),
                new PromptPart.RawText("\n    return y\n"), new PromptPart.Fim(PromptPart.FimToken.MID)), p.parts());
    }

    @Test
    void infillSpmPutsSuffixFirst() {
        Prompt p = InfillFormat.SPM.prompt("a = ", " + 1");
        // "<PRE> <SUF>{suf} <MID> {pre}"
        assertEquals("<s> <PRE> <SUF> + 1 <MID> a = ", p.render(true));
    }

    @Test
    void llama2SingleTurnWithSystem() {
        Prompt p = ChatTemplates.byName("llama2").render(List.of(
                ChatMessage.system("Be terse."), ChatMessage.user("  Write hello world in C.  ")));
        // the reference strips the merged content, so the user's leading spaces stay inside
        assertEquals("<s>[INST] <<SYS>>\nBe terse.\n<</SYS>>\n\n  Write hello world in C. [/INST]", p.render(false));
    }

    @Test
    void llama2MultiTurnClosesEachExchangeWithEos() {
        // a trailing assistant message is a prefill: the answer continues it, after "[/INST] "
        Prompt p = ChatTemplates.byName("llama2").render(List.of(
                ChatMessage.user("hi"), ChatMessage.assistant(" hello! "), ChatMessage.user("bye"), ChatMessage.assistant("```python\n")));
        assertEquals("<s>[INST] hi [/INST] hello! </s><s>[INST] bye [/INST] ```python\n", p.render(false));
        // each turn is its own encode() call (and so gets its own dummy-prefix space)
        assertEquals("<s> [INST] hi [/INST] hello! </s><s> [INST] bye [/INST] ```python\n", p.render(true));
    }

    @Test
    void llama2RejectsBadRoleOrder() {
        var e = assertThrows(BadRequestException.class, () -> ChatTemplates.byName("llama2").render(List.of(
                ChatMessage.user("a"), ChatMessage.user("b"))));
        assertTrue(e.getMessage().contains("message 2 has role 'user' where 'assistant' was expected"), e.getMessage());
        assertEquals("messages", e.param());
        assertThrows(BadRequestException.class, () -> ChatTemplates.byName("llama2").render(List.of(
                ChatMessage.assistant("a"), ChatMessage.user("b"))));
        assertThrows(BadRequestException.class, () -> ChatTemplates.byName("llama2").render(List.of(ChatMessage.system("s"))));
    }

    @Test
    void magicoderMatchesItsReadmePrompt() {
        Prompt p = ChatTemplates.byName("magicoder").render(List.of(ChatMessage.user("Sort a list.")));
        assertEquals("<s>You are an exceptionally intelligent coding assistant that consistently delivers accurate and "
                + "reliable responses to user instructions.\n\n@@ Instruction\nSort a list.\n\n@@ Response\n", p.render(false));
        Prompt two = ChatTemplates.byName("magicoder").render(List.of(ChatMessage.system("S"), ChatMessage.user("a"),
                ChatMessage.assistant("b"), ChatMessage.user("c")));
        assertEquals("<s>S\n\n@@ Instruction\na\n\n@@ Response\nb</s>@@ Instruction\nc\n\n@@ Response\n", two.render(false));
    }

    @Test
    void chatMlAndDeepseek() {
        Prompt p = ChatTemplates.byName("chatml").render(List.of(ChatMessage.system("s"), ChatMessage.user("u")));
        assertEquals("<|im_start|>system\ns<|im_end|>\n<|im_start|>user\nu<|im_end|>\n<|im_start|>assistant\n", p.render(false));
        Prompt d = ChatTemplates.byName("deepseek-coder").render(List.of(ChatMessage.user("u"), ChatMessage.assistant("a"), ChatMessage.user("v")));
        assertEquals("<s>" + DEEPSEEK_DEFAULT_SYSTEM + "### Instruction:\nu\n### Response:\na\n<|EOT|>\n"
                + "### Instruction:\nv\n### Response:\n", d.render(false));
    }

    @Test
    void templatesAreRecognisedFromGgufJinja() {
        // abbreviated forms of the templates as shipped in tokenizer_config.json files
        assertEquals("llama2", ChatTemplates.recognise("{% if messages[0]['role'] == 'system' %}...{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"));
        assertEquals("chatml", ChatTemplates.recognise("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'}}"));
        assertEquals("magicoder", ChatTemplates.recognise("{{ '@@ Instruction\\n' + message['content'] }}"));
        assertEquals("deepseek-coder", ChatTemplates.recognise("{{'### Instruction:\\n' + message['content'] + '\\n'}}{{'### Response:'}}"));
        assertEquals(null, ChatTemplates.recognise("{{ something else }}"));
        assertEquals("llama2", ChatTemplates.choose(null, null).name());
        assertEquals("magicoder", ChatTemplates.choose("Magicoder", "<|im_start|>").name());
        assertEquals("chatml", ChatTemplates.choose(null, "<|im_start|>").name());
        var e = assertThrows(IllegalArgumentException.class, () -> ChatTemplates.byName("vicuna"));
        assertEquals("unknown chat template 'vicuna' (known: llama2, magicoder, chatml, deepseek-coder)", e.getMessage());
    }
}
