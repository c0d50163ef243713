package dev.codellm.model.convert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE {@code tokenizer.json} (DeepSeek-Coder, Magicoder-DS, StarCoder, Llama 3) as a
 * GGUF {@code gpt2} vocabulary, as llama.cpp's get_vocab_base does: ids 0..vocab_size-1, holes as
 * UNUSED {@code [PADn]}, added tokens CONTROL when special (or looking special) and USER_DEFINED
 * otherwise, merges as "left right" strings. llama.cpp names the pre-tokenizer by hashing a test
 * tokenization; we recognize the {@code pre_tokenizer} block itself (its Split regexes, Digits and
 * ByteLevel settings) among the ones our tokenizer implements, and refuse others by name.
 */
final class BpeTokenizerJson {
    private BpeTokenizerJson() {}

    /** Known pre-tokenizer blocks: the Split regexes in order, then "digits" / "digits1" / "bytelevel-regex" markers. */
    static final Map<List<String>, String> PRE = Map.of(
            List.of("[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+", "digits1", "bytelevel"), "deepseek-coder",
            List.of("bytelevel-regex"), "gpt2",
            List.of("digits1", "bytelevel-regex"), "starcoder",
            List.of("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
                    "bytelevel"), "llama3");

    static HfTokenizer.Vocab read(Path file, int vocabSize) {
        JsonNode root = Json.read(file);
        JsonNode model = root.path("model");
        if (!model.path("type").asText("BPE").equals("BPE"))
            throw new CodellmException(file + ": tokenizer model '" + model.path("type").asText() + "' is not supported (byte-level BPE is)");
        Map<Integer, String> byId = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            byId.put(e.getValue().asInt(), e.getKey());
        }
        List<HfTokenizer.AddedToken> added = new ArrayList<>();
        Map<Integer, HfTokenizer.AddedToken> addedById = new HashMap<>();
        for (JsonNode a : root.path("added_tokens")) {
            var t = new HfTokenizer.AddedToken(a.path("id").asInt(), a.path("content").asText(), a.path("special").asBoolean(false));
            added.add(t);
            addedById.put(t.id(), t);
            byId.put(t.id(), t.content());
        }
        if (byId.isEmpty()) throw new CodellmException(file + ": no vocabulary in model.vocab");
        int max = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        if (max >= vocabSize)
            throw new CodellmException(file + ": token id " + max + " is outside config.json's vocab_size " + vocabSize);
        List<String> tokens = new ArrayList<>(vocabSize);
        int[] types = new int[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            String t = byId.get(i);
            HfTokenizer.AddedToken a = addedById.get(i);
            if (t == null) {
                tokens.add("[PAD" + i + "]");
                types[i] = 5;
            } else if (a != null) {
                if (a.special() || HfTokenizer.looksSpecial(t)) {
                    types[i] = 3;
                } else {
                    t = t.replace("\u2581", " ");
                    types[i] = 4;
                }
                tokens.add(t);
            } else {
                tokens.add(t);
                types[i] = 1;
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            if (m.isTextual()) merges.add(m.asText());
            else if (m.isArray() && m.size() == 2) merges.add(spaceEncoded(m.get(0).asText()) + " " + spaceEncoded(m.get(1).asText()));
            else throw new CodellmException(file + ": unknown merges format");
        }
        return new HfTokenizer.Vocab("gpt2", preName(file, root.path("pre_tokenizer")), tokens, null, types, merges, added, Map.of());
    }

    /** Spaces inside a merge part as U+0120 (llama.cpp's encoding of transformers 4.45's pair format). */
    private static String spaceEncoded(String s) {
        return s.replace(' ', (char) (' ' + 256));
    }

    static String preName(Path file, JsonNode pre) {
        List<String> sig = new ArrayList<>();
        signature(pre, sig);
        String name = PRE.get(sig);
        if (name == null)
            throw new CodellmException(file + ": pre-tokenizer " + sig + " is not one codellm implements (known: " + PRE.values()
                    + "); the converted model would split text differently from its tokenizer");
        return name;
    }

    private static void signature(JsonNode p, List<String> sig) {
        switch (p.path("type").asText("")) {
            case "Sequence" -> { for (JsonNode c : p.path("pretokenizers")) signature(c, sig); }
            case "Split" -> sig.add(p.path("pattern").path("Regex").asText(p.path("pattern").path("String").asText()));
            case "Digits" -> sig.add(p.path("individual_digits").asBoolean(false) ? "digits1" : "digits");
            case "ByteLevel" -> sig.add(p.path("use_regex").asBoolean(true) ? "bytelevel-regex" : "bytelevel");
            case "" -> { }
            default -> sig.add(p.path("type").asText());
        }
    }
}
