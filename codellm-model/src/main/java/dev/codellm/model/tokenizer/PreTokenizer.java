package dev.codellm.model.tokenizer;

import dev.codellm.core.CodellmException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words before byte-level BPE, following llama.cpp's pre-tokenizers (chosen by
 * {@code tokenizer.ggml.pre}). The expressions are applied in order: each one splits every current
 * piece into its matches and the text between them (both kept), like llama.cpp's
 * {@code unicode_regex_split}. {@code \s} means Unicode White_Space, as in llama.cpp.
 */
final class PreTokenizer {
    /**
     * GPT-2's expression. llama.cpp runs a hand-written matcher for it that also takes a lone
     * whitespace run as a word (the original's trailing {@code |\s+}), so that alternative is kept here.
     */
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String CJK = "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+";

    /** A pre-tokenizer family: its expressions and whether a whole word that is a token skips merging. */
    record Kind(String name, List<String> expressions, boolean ignoreMerges, boolean addBos) {}

    private final Kind kind;
    private final Pattern[] patterns;

    private PreTokenizer(Kind kind) {
        this.kind = kind;
        this.patterns = kind.expressions().stream()
                .map(e -> Pattern.compile(e, Pattern.UNICODE_CHARACTER_CLASS))
                .toArray(Pattern[]::new);
    }

    Kind kind() { return kind; }

    /** The pre-tokenizer for a {@code tokenizer.ggml.pre} value (null or "default": llama.cpp's default). */
    static PreTokenizer forName(String pre, String vocabName) {
        return new PreTokenizer(kindFor(pre, vocabName));
    }

    static Kind kindFor(String pre, String vocabName) {
        String p = pre == null ? "default" : pre.toLowerCase(Locale.ROOT);
        return switch (p) {
            case "default" -> new Kind(p, List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]"), false, false);
            case "gpt-2", "gpt2", "phi-2", "mpt", "olmo", "jais", "jina-es", "jina-de", "jina-v1-en", "jina-v2-es",
                 "jina-v2-de", "jina-v2-code", "roberta-bpe", "gigachat", "mellum", "modern-bert", "trillion",
                 "granite-docling", "a.x-4.0" -> new Kind(p, List.of(GPT2), false, false);
            case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva", "mellum2" ->
                    new Kind(p, List.of("\\p{N}", GPT2), false, false);
            case "deepseek-coder" -> new Kind(p, List.of("[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK, "\\p{N}"), false, false);
            case "deepseek-llm" -> new Kind(p, List.of(
                    "[\r\n]",
                    "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
                    "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
                    "\\s+\\z", // llama.cpp's "\s+$": end of the piece only (Java's $ would also match before a final newline)
                    CJK,
                    "\\p{N}+"), false, false);
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2" ->
                    new Kind(p, List.of(LLAMA3), true, true);
            case "dbrx", "smaug-bpe" -> new Kind(p, List.of(LLAMA3), false, false);
            case "qwen2", "deepseek-r1-qwen", "stablelm2" -> new Kind(p, List.of(QWEN2), false, false);
            case "falcon" -> new Kind(p, List.of("[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]"), false, false);
            default -> throw new CodellmException(Vocabulary.label(vocabName) + ": unsupported pre-tokenizer '" + pre
                    + "' (tokenizer.ggml.pre); supported: default, gpt-2, starcoder, deepseek-coder, deepseek-llm, llama3, qwen2, falcon and their aliases");
        };
    }

    /** Word boundaries in {@code text} as char offsets: 0, cut, cut, ..., text.length() (just 0 for ""). */
    IntList split(String text) {
        IntList cuts = new IntList(16);
        cuts.add(0);
        if (!text.isEmpty()) cuts.add(text.length());
        for (Pattern pattern : patterns) {
            IntList refined = new IntList(cuts.size() * 2);
            refined.add(0);
            Matcher m = pattern.matcher(text);
            for (int i = 0; i + 1 < cuts.size(); i++) {
                int start = cuts.get(i), end = cuts.get(i + 1);
                m.region(start, end);
                while (m.find()) {
                    if (m.start() > refined.get(refined.size() - 1)) refined.add(m.start());
                    if (m.end() > m.start()) refined.add(m.end());
                }
                if (end > refined.get(refined.size() - 1)) refined.add(end);
            }
            cuts = refined;
        }
        return cuts;
    }
}
