package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.tokenizer.TokenType;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.model.tokenizer.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Infill and Llama-2 chat prompt ids on a Code Llama vocabulary (Llama 2's 32000 pieces + the 16
 * Code Llama tokens, FIM markers at 32007..32010) equal those of an independent Python reference
 * that follows Code Llama's generation.py on the SentencePiece library and Meta's tokenizer.model.
 */
class CodeLlamaPromptIdsTest {
    static Tokenizer codeLlamaTokenizer() {
        Vocabulary base;
        try (GgufFile f = GgufFile.open(SharedData.require("vocab/ggml-vocab-llama-spm.gguf"))) {
            base = Vocabulary.fromGguf(f);
        }
        List<String> tokens = new ArrayList<>(base.tokens());
        int n = tokens.size();
        float[] scores = Arrays.copyOf(base.scores(), n + 16);
        int[] types = Arrays.copyOf(base.tokenTypes(), n + 16);
        for (int i = 0; i < 16; i++) {
            String t = switch (n + i) {
                case 32007 -> "▁<PRE>";
                case 32008 -> "▁<SUF>";
                case 32009 -> "▁<MID>";
                case 32010 -> "▁<EOT>";
                default -> "<unused_" + i + ">";
            };
            tokens.add(t);
            types[n + i] = (n + i >= 32007 && n + i <= 32010 ? TokenType.CONTROL : TokenType.UNUSED).code;
        }
        Map<String, Integer> special = new HashMap<>(base.specialIds());
        special.put("fim_pre", 32007);
        special.put("fim_suf", 32008);
        special.put("fim_mid", 32009);
        special.put("eot", 32010);
        return Tokenizer.of(new Vocabulary(base.model(), base.preTokenizer(), tokens, scores, types, base.merges(), special,
                base.addBos(), base.addEos(), base.addSpacePrefix(), "codellama-vocab"));
    }

    private record Case(String kind, String prefix, String suffix, List<ChatMessage> messages) {}

    @Test
    void promptIdsMatchThePythonReference() throws Exception {
        List<Case> cases = List.of(
                new Case("psm", "def remove_non_ascii(s: str) -> str:\n    \"\"\" ", "\n    return result\n", null),
                new Case("psm", "import os\n", " = 3  # spaces first", null),
                new Case("psm", "x", "", null),
                new Case("spm", "def f(a, b):\n    return", "\n\nprint(f(1, 2))\n", null),
                new Case("spm", "ünïcödé → ", "élan", null),
                new Case("chat", null, null, List.of(ChatMessage.user("Write a function that reverses a string."))),
                new Case("chat", null, null, List.of(ChatMessage.system("Answer in Python only."), ChatMessage.user("  sort a list  "),
                        ChatMessage.assistant(" sorted(xs) "), ChatMessage.user("and reverse it?"))));
        PromptEncoder encoder = new PromptEncoder(new TokenizerCodec(codeLlamaTokenizer()));
        List<int[]> ours = new ArrayList<>();
        for (Case c : cases) {
            Prompt p = switch (c.kind()) {
                case "psm" -> InfillFormat.PSM.prompt(c.prefix(), c.suffix());
                case "spm" -> InfillFormat.SPM.prompt(c.prefix(), c.suffix());
                default -> ChatTemplates.byName("llama2").render(c.messages());
            };
            ours.add(encoder.encode(p));
        }
        List<int[]> reference = runReference(cases);
        for (int i = 0; i < cases.size(); i++) {
            assertEquals(Arrays.toString(reference.get(i)), Arrays.toString(ours.get(i)), "case " + i + " " + cases.get(i));
        }
        // hand check of the first PSM prompt's frame: <s> ▁<PRE> ... ▁<SUF> ... ▁<MID>
        int[] first = ours.get(0);
        assertEquals(1, first[0]);
        assertEquals(32007, first[1]);
        assertEquals(32009, first[first.length - 1]);
    }

    private static List<int[]> runReference(List<Case> cases) throws IOException, InterruptedException {
        StringBuilder json = new StringBuilder("{\"model\": ").append(str(SharedData.require("models/llama2-tokenizer/tokenizer.model").toString()))
                .append(", \"cases\": [");
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            if (i > 0) json.append(", ");
            json.append("{\"kind\": ").append(str(c.kind()));
            if (c.messages() == null) {
                json.append(", \"prefix\": ").append(str(c.prefix())).append(", \"suffix\": ").append(str(c.suffix()));
            } else {
                json.append(", \"messages\": [");
                for (int j = 0; j < c.messages().size(); j++) {
                    ChatMessage m = c.messages().get(j);
                    json.append(j > 0 ? ", " : "").append("{\"role\": ").append(str(m.role())).append(", \"content\": ").append(str(m.content())).append("}");
                }
                json.append("]");
            }
            json.append("}");
        }
        json.append("]}");
        Path script;
        try {
            script = Path.of(CodeLlamaPromptIdsTest.class.getResource("codellama_reference_prompts.py").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write(json.toString().getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "python reference failed (needs Debian python3-sentencepiece): " + out);
        List<int[]> result = new ArrayList<>();
        String body = out.trim();
        body = body.substring(1, body.length() - 1); // outer [ ]
        for (String list : body.split("\\]\\s*,\\s*\\[")) {
            String inner = list.replace("[", "").replace("]", "").trim();
            result.add(inner.isEmpty() ? new int[0] : Arrays.stream(inner.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray());
        }
        return result;
    }

    private static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (ch < 0x20 || ch > 0x7e) sb.append(String.format("\\u%04x", (int) ch));
                    else sb.append(ch);
                }
            }
        }
        return sb.append('"').toString();
    }
}
