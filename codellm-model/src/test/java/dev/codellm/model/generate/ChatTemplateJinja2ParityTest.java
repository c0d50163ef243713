package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.BadRequestException;
import dev.codellm.core.ChatMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Our Jinja rendering of chat templates is byte-identical to Debian's python3-jinja2 set up as
 * Hugging Face's apply_chat_template sets it up ({@code hf_chat_template_reference.py}): for real
 * templates (test resource {@code chat_templates.json}: Code Llama Instruct, DeepSeek-Coder,
 * Magicoder, ChatML, Qwen/CodeQwen ChatML, Phind, WizardCoder, an indented multi-line Alpaca one,
 * the one codellm-train used to write) and the built-ins, over system / no system, multi-turn,
 * a trailing assistant message, a malformed order and {@code add_generation_prompt} true and false;
 * a template that raises gives the template's message. Small feature templates pin the Jinja
 * features real templates use (filters, Python string methods, namespace, loop, slicing,
 * whitespace control, tojson).
 */
class ChatTemplateJinja2ParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final List<List<ChatMessage>> CONVERSATIONS = List.of(
            List.of(ChatMessage.user("Write a function that reverses a string.")),
            List.of(ChatMessage.system("Answer in Python only."), ChatMessage.user("  sort a list  ")),
            List.of(ChatMessage.system("Be brief."), ChatMessage.user("Write f"), ChatMessage.assistant(" def f(): pass "), ChatMessage.user("And g?")),
            List.of(ChatMessage.user("hi"), ChatMessage.assistant("hello!\n"), ChatMessage.user("bye ünïcödé {{ not jinja }} 'q' \"dq\" \\ \t end\n")),
            List.of(ChatMessage.user("Write f"), ChatMessage.assistant("```python\n")),
            List.of(ChatMessage.system("S"), ChatMessage.user("u"), ChatMessage.assistant("a"), ChatMessage.user("v"), ChatMessage.assistant("b")),
            List.of(ChatMessage.user("a"), ChatMessage.user("b")));

    private record Case(String name, ChatTemplate template, List<ChatMessage> messages, boolean addGenerationPrompt, String bos, String eos) {}

    @Test
    void realAndBuiltInTemplatesRenderAsPythonJinja2Does() throws Exception {
        JsonNode data = resource();
        List<Case> cases = new ArrayList<>();
        List<ChatTemplate> templates = new ArrayList<>();
        List<String[]> tokens = new ArrayList<>();
        for (JsonNode t : data.get("templates")) {
            templates.add(new ChatTemplate(t.get("name").asText(), t.get("chat_template").asText(), List.of(), List.of()));
            tokens.add(new String[] {t.get("bos_token").asText(), t.get("eos_token").asText()});
        }
        for (String name : ChatTemplates.names()) {
            templates.add(ChatTemplates.byName(name));
            tokens.add(new String[] {"<s>", "</s>"});
        }
        for (int i = 0; i < templates.size(); i++)
            for (List<ChatMessage> conv : CONVERSATIONS)
                for (boolean agp : new boolean[] {true, false})
                    cases.add(new Case(templates.get(i).name(), templates.get(i), conv, agp, tokens.get(i)[0], tokens.get(i)[1]));
        int features = 0;
        for (JsonNode f : data.get("features")) {
            ChatTemplate t = new ChatTemplate("feature-" + features++, f.asText(), List.of(), List.of());
            for (List<ChatMessage> conv : List.of(CONVERSATIONS.get(1), CONVERSATIONS.get(2)))
                for (boolean agp : new boolean[] {true, false}) cases.add(new Case(t.name(), t, conv, agp, "<s>", "</s>"));
        }
        JsonNode reference = runReference(cases);
        int raised = 0;
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            String what = c.name() + " agp=" + c.addGenerationPrompt() + " " + c.messages();
            JsonNode want = reference.get(i);
            if (want.has("error")) {
                raised++;
                BadRequestException e = org.junit.jupiter.api.Assertions.assertThrows(BadRequestException.class,
                        () -> c.template().renderText(c.messages(), c.addGenerationPrompt(), c.bos(), c.eos()), what);
                assertEquals("chat template " + c.name() + " refused the conversation: " + want.get("error").asText(), e.getMessage(), what);
                assertEquals("messages", e.param());
            } else {
                assertEquals(want.get("text").asText(), c.template().renderText(c.messages(), c.addGenerationPrompt(), c.bos(), c.eos()), what);
            }
        }
        assertTrue(raised >= 10, "the malformed order and Magicoder's system message make templates raise: " + raised);
    }

    @Test
    void aLoopFilterIsRefusedRatherThanRenderedWrongly() {
        // Jinja2 skips the filtered items; Jinjava would not, so such a template must not render silently wrong.
        ChatTemplate t = new ChatTemplate("filtered", "{% for m in messages if m.role != 'system' %}{{ m.role }}{% endfor %}", List.of(), List.of());
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.codellm.core.CodellmException.class,
                () -> t.renderText(CONVERSATIONS.get(1), true, "<s>", "</s>"));
        assertTrue(e.getMessage().startsWith("chat template filtered filters a loop"), e.getMessage());
        assertTrue(e.getMessage().contains("--template"), e.getMessage());
        // an inline if in the loop's sequence is not a filter
        ChatTemplate inline = new ChatTemplate("inline", "{% for m in (messages if true else []) %}{{ m.role }}{% endfor %}", List.of(), List.of());
        assertEquals("systemuser", inline.renderText(CONVERSATIONS.get(1), true, "<s>", "</s>"));
    }

    private static JsonNode resource() throws IOException {
        try (InputStream in = ChatTemplateJinja2ParityTest.class.getResourceAsStream("chat_templates.json")) {
            return JSON.readTree(in);
        }
    }

    private static JsonNode runReference(List<Case> cases) throws Exception {
        ObjectNode req = JSON.createObjectNode();
        ArrayNode arr = req.putArray("cases");
        for (Case c : cases) {
            ObjectNode o = arr.addObject();
            o.put("template", c.template().source());
            ArrayNode msgs = o.putArray("messages");
            for (ChatMessage m : c.messages()) msgs.addObject().put("role", m.role()).put("content", m.content());
            o.put("add_generation_prompt", c.addGenerationPrompt()).put("bos_token", c.bos()).put("eos_token", c.eos());
        }
        Path script = Path.of(ChatTemplateJinja2ParityTest.class.getResource("hf_chat_template_reference.py").toURI());
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write(JSON.writeValueAsBytes(req));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "python reference failed (needs Debian python3-jinja2): " + out);
        JsonNode result = JSON.readTree(out);
        assertEquals(cases.size(), result.size());
        return result;
    }
}
