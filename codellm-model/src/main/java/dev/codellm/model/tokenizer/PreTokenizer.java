package dev.codellm.model.tokenizer;

import dev.codellm.core.IntList;
import dev.codellm.core.CodellmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits text into words before byte-level BPE, following llama.cpp's pre-tokenizers (chosen by
 * {@code tokenizer.ggml.pre}). The expressions are applied in order: each one splits every current
 * piece into its matches and the text between them (both kept), like llama.cpp's
 * {@code unicode_regex_split}. {@code \s} means Unicode White_Space, as in llama.cpp.
 */
public final class PreTokenizer {
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

    /** A pre-tokenizer family: its rules, whether a whole word that is a token skips merging, its BOS default. */
    record Kind(String name, List<SplitRule> rules, boolean ignoreMerges, boolean addBos) {}

    private static final SplitRule DIGIT = SplitRule.classRun("\\p{N}", SplitRule.NUMBER, false, true);
    private static final SplitRule DIGITS = SplitRule.classRun("\\p{N}+", SplitRule.NUMBER, false, false);
    private static final SplitRule LINE_BREAK = SplitRule.run("[\r\n]", c -> c == '\r' || c == '\n', false, true);
    private static final SplitRule CJK_RUN = SplitRule.run(CJK,
            c -> (c >= 0x4e00 && c <= 0x9fa5) || (c >= 0x0800 && c <= 0x4e00) || (c >= 0xac00 && c <= 0xd7ff), false, false);

    private final Kind kind;

    private PreTokenizer(Kind kind) { this.kind = kind; }

    Kind kind() { return kind; }

    /** The pre-tokenizer for a {@code tokenizer.ggml.pre} value (null or "default": llama.cpp's default). */
    static PreTokenizer forName(String pre, String vocabName) {
        return new PreTokenizer(kindFor(pre, vocabName));
    }

    /**
     * The pre-tokenizer byte-level BPE vocabularies with {@code tokenizer.ggml.pre = pre} use, for
     * code that needs the encoder's words without a vocabulary (the BPE merge learner).
     */
    public static PreTokenizer of(String pre) {
        return forName(pre, null);
    }

    /** The same pre-tokenizer with every rule run as its plain regular expression (tests compare the two). */
    PreTokenizer regexOnly() {
        return new PreTokenizer(new Kind(kind.name(), kind.rules().stream().map(r -> SplitRule.regex(r.expression())).toList(),
                kind.ignoreMerges(), kind.addBos()));
    }

    static Kind kindFor(String pre, String vocabName) {
        String p = pre == null ? "default" : pre.toLowerCase(Locale.ROOT);
        SplitRule gpt2 = SplitRule.gpt2();
        return switch (p) {
            case "default" -> new Kind(p, List.of(
                    SplitRule.run("[\\p{P}\\$\\+<=>\\^~\\|]+", c -> SplitRule.isPunctuation(c) || "$+<=>^~|".indexOf(c) >= 0, false, false),
                    gpt2, DIGITS, SplitRule.regex("[0-9][0-9][0-9]")), false, false);
            case "gpt-2", "gpt2", "phi-2", "mpt", "olmo", "jais", "jina-es", "jina-de", "jina-v1-en", "jina-v2-es",
                 "jina-v2-de", "jina-v2-code", "roberta-bpe", "gigachat", "mellum", "modern-bert", "trillion",
                 "granite-docling", "a.x-4.0" -> new Kind(p, List.of(gpt2), false, false);
            case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva", "mellum2" ->
                    new Kind(p, List.of(DIGIT, gpt2), false, false);
            case "deepseek-coder" -> new Kind(p, List.of(LINE_BREAK,
                    SplitRule.classRun("\\s?\\p{L}+", SplitRule.LETTER, true, false),
                    SplitRule.classRun("\\s?\\p{P}+", SplitRule.PUNCT, true, false),
                    CJK_RUN, DIGIT), false, false);
            case "deepseek-llm" -> new Kind(p, List.of(
                    LINE_BREAK,
                    SplitRule.regex("\\s?[" // cased letters, as in DeepSeek-LLM's tokenizer.json (escaped: NFC would alter some)
                            + "\\x{41}-\\x{5A}\\x{61}-\\x{7A}\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}"
                            + "\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}"
                            + "\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}"
                            + "\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}"
                            + "\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}"
                            + "\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}"
                            + "\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}"
                            + "\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}"
                            + "\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}"
                            + "\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}"
                            + "\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}"
                            + "\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}"
                            + "\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}"
                            + "\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}"
                            + "\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}"
                            + "\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}"
                            + "\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}"
                            + "\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}]+"),
                    SplitRule.regex("\\s?[!-/:-~！-／：-～‘-‟　-。]+"),
                    SplitRule.regex("\\s+\\z"), // llama.cpp's "\s+$": end of the piece only (Java's $ would also match before a final newline)
                    CJK_RUN,
                    DIGITS), false, false);
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2" ->
                    new Kind(p, List.of(SplitRule.regex(LLAMA3)), true, true);
            case "dbrx", "smaug-bpe" -> new Kind(p, List.of(SplitRule.regex(LLAMA3)), false, false);
            case "qwen2", "deepseek-r1-qwen", "stablelm2" -> new Kind(p, List.of(SplitRule.regex(QWEN2)), false, false);
            case "falcon" -> new Kind(p, List.of(
                    SplitRule.run("[\\p{P}\\$\\+<=>\\^~\\|`]+", c -> SplitRule.isPunctuation(c) || "$+<=>^~|`".indexOf(c) >= 0, false, false),
                    gpt2, SplitRule.regex("[0-9][0-9][0-9]")), false, false);
            default -> throw new CodellmException(Vocabulary.label(vocabName) + ": unsupported pre-tokenizer '" + pre
                    + "' (tokenizer.ggml.pre); supported: default, gpt-2, starcoder, deepseek-coder, deepseek-llm, llama3, qwen2, falcon and their aliases");
        };
    }

    /** The words of {@code text}, in order: merges never cross them, so a BPE learner counts pairs within them. */
    public List<String> words(String text) {
        IntList cuts = split(text);
        List<String> words = new ArrayList<>(cuts.size());
        for (int i = 0; i + 1 < cuts.size(); i++) words.add(text.substring(cuts.get(i), cuts.get(i + 1)));
        return words;
    }

    /** Word boundaries in {@code text} as char offsets: 0, cut, cut, ..., text.length() (just 0 for ""). */
    IntList split(String text) {
        IntList cuts = new IntList(16);
        cuts.add(0);
        if (!text.isEmpty()) cuts.add(text.length());
        for (SplitRule rule : kind.rules()) {
            IntList refined = new IntList(cuts.size() * 2);
            refined.add(0);
            for (int i = 0; i + 1 < cuts.size(); i++) rule.split(text, cuts.get(i), cuts.get(i + 1), refined);
            cuts = refined;
        }
        return cuts;
    }
}
