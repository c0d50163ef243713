package dev.codellm.model.inspect;

import dev.codellm.model.gguf.*;
import dev.codellm.model.tokenizer.SpecialTokenRoles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a person wants to know about a GGUF model at a glance: architecture hyper-parameters
 * (read from {@code <arch>.*} keys), parameter count, tokenizer, and the special tokens including
 * the fill-in-the-middle ones. Fields are null when the file does not say.
 *
 * @param specialTokens    BOS/EOS/EOT/UNK/PAD and FIM tokens (PRE/SUF/MID/…), from
 *                         {@code tokenizer.ggml.*_token_id} keys or, failing those, settled as the
 *                         tokenizer settles them ({@link SpecialTokenRoles}: SentencePiece defaults,
 *                         well-known texts such as Code Llama {@code ▁<PRE>}, StarCoder {@code <fim_prefix>})
 * @param endOfGeneration  the token ids that end generation (EOS, EOT, end-of-turn tokens, …), as the
 *                         tokenizer and generation use them
 */
public record GgufSummary(
        String file, long fileBytes, int ggufVersion, int alignment, int metadataCount, int tensorCount,
        String architecture, String name, Long fileType, String fileTypeName, long parameters,
        Map<String, Integer> tensorTypes,
        Integer layers, Integer embeddingLength, Integer feedForwardLength, Integer heads, Integer kvHeads,
        Integer headDim, Integer contextLength, Float ropeFreqBase, Integer ropeDimensions, Float rmsEpsilon,
        Integer vocabSize, String tokenizerModel, String tokenizerPre, boolean hasChatTemplate,
        List<SpecialToken> specialTokens, List<Integer> endOfGeneration) {

    /** A special token: role (BOS, EOS, EOT, UNK, PAD, FIM_PRE, FIM_SUF, FIM_MID, …), id, its text, and where it was found. */
    public record SpecialToken(String role, int id, String text, String source) {}

    /** llama.cpp's {@code llama_ftype} names for {@code general.file_type}. */
    private static final Map<Long, String> FILE_TYPES = Map.ofEntries(
            Map.entry(0L, "ALL_F32"), Map.entry(1L, "MOSTLY_F16"), Map.entry(2L, "MOSTLY_Q4_0"), Map.entry(3L, "MOSTLY_Q4_1"),
            Map.entry(7L, "MOSTLY_Q8_0"), Map.entry(8L, "MOSTLY_Q5_0"), Map.entry(9L, "MOSTLY_Q5_1"), Map.entry(10L, "MOSTLY_Q2_K"),
            Map.entry(11L, "MOSTLY_Q3_K_S"), Map.entry(12L, "MOSTLY_Q3_K_M"), Map.entry(13L, "MOSTLY_Q3_K_L"),
            Map.entry(14L, "MOSTLY_Q4_K_S"), Map.entry(15L, "MOSTLY_Q4_K_M"), Map.entry(16L, "MOSTLY_Q5_K_S"),
            Map.entry(17L, "MOSTLY_Q5_K_M"), Map.entry(18L, "MOSTLY_Q6_K"), Map.entry(32L, "MOSTLY_BF16"));

    /** Metadata key suffix (after {@code tokenizer.ggml.}) → role, in display order. */
    private static final String[][] TOKEN_KEYS = {
            {"bos_token_id", "BOS"}, {"eos_token_id", "EOS"}, {"eot_token_id", "EOT"}, {"eom_token_id", "EOM"},
            {"unknown_token_id", "UNK"}, {"padding_token_id", "PAD"}, {"seperator_token_id", "SEP"},
            {"prefix_token_id", "FIM_PRE"}, {"suffix_token_id", "FIM_SUF"}, {"middle_token_id", "FIM_MID"},
            {"fim_pre_token_id", "FIM_PRE"}, {"fim_suf_token_id", "FIM_SUF"}, {"fim_mid_token_id", "FIM_MID"},
            {"fim_pad_token_id", "FIM_PAD"}, {"fim_rep_token_id", "FIM_REP"}, {"fim_sep_token_id", "FIM_SEP"}};

    public static GgufSummary of(GgufFile f) {
        String arch = f.architecture();
        String p = (arch == null ? "llama" : arch) + ".";
        long params = 0;
        Map<String, Integer> types = new LinkedHashMap<>();
        for (GgufTensor t : f.tensors()) {
            params += t.elementCount();
            types.merge(t.type().name(), 1, Integer::sum);
        }
        Integer heads = optInt(f, p + "attention.head_count");
        Integer emb = optInt(f, p + "embedding_length");
        Integer kv = optInt(f, p + "attention.head_count_kv");
        if (kv == null) kv = heads;
        Integer headDim = optInt(f, p + "attention.key_length");
        if (headDim == null && heads != null && emb != null && heads > 0) headDim = emb / heads;
        List<String> tokens = f.entry("tokenizer.ggml.tokens").filter(v -> v.elementType() == GgufValueType.STRING)
                .map(v -> (List<String>) castStrings(v.value())).orElse(List.of());
        Integer vocab = tokens.isEmpty() ? optInt(f, p + "vocab_size") : Integer.valueOf(tokens.size());
        Long fileType = f.has("general.file_type") ? f.getLong("general.file_type") : null;
        List<SpecialToken> special = specialTokens(f, tokens);
        return new GgufSummary(f.path().toString(), f.fileSize(), f.version(), f.alignment(), f.entries().size(), f.tensors().size(),
                arch, f.optString("general.name", null), fileType, fileType == null ? null : FILE_TYPES.getOrDefault(fileType, "unknown"),
                params, types, optInt(f, p + "block_count"), emb, optInt(f, p + "feed_forward_length"), heads, kv, headDim,
                optInt(f, p + "context_length"), optFloat(f, p + "rope.freq_base"), optInt(f, p + "rope.dimension_count"),
                optFloat(f, p + "attention.layer_norm_rms_epsilon"), vocab, f.optString("tokenizer.ggml.model", null),
                f.optString("tokenizer.ggml.pre", null), f.has("tokenizer.chat_template"), special, endOfGeneration(special, tokens));
    }

    @SuppressWarnings("unchecked")
    private static List<String> castStrings(Object o) { return (List<String>) o; }

    private static Integer optInt(GgufFile f, String key) {
        if (!f.has(key) || !(f.metadata().get(key) instanceof Number)) return null;
        long v = f.getLong(key);
        return v < Integer.MIN_VALUE || v > Integer.MAX_VALUE ? null : (int) v;
    }

    private static Float optFloat(GgufFile f, String key) {
        return f.has(key) && f.metadata().get(key) instanceof Number n ? n.floatValue() : null;
    }

    private static List<SpecialToken> specialTokens(GgufFile f, List<String> tokens) {
        List<SpecialToken> out = new ArrayList<>();
        Set<String> roles = new HashSet<>();
        for (String[] k : TOKEN_KEYS) {
            String key = "tokenizer.ggml." + k[0];
            Integer id = optInt(f, key);
            if (id == null || roles.contains(k[1])) continue;
            out.add(new SpecialToken(k[1], id, id >= 0 && id < tokens.size() ? tokens.get(id) : null, key));
            roles.add(k[1]);
        }
        if (tokens.isEmpty()) return out;
        Set<String> known = new HashSet<>();
        for (String role : roles) known.add(role.toLowerCase(Locale.ROOT));
        boolean sentencePiece = "llama".equals(f.optString("tokenizer.ggml.model", null));
        for (SpecialTokenRoles.Found t : SpecialTokenRoles.fallbacks(sentencePiece, tokens, known))
            out.add(new SpecialToken(t.role().toUpperCase(Locale.ROOT), t.id(), tokens.get(t.id()), t.source()));
        return out;
    }

    /** The ids that end generation, from the settled roles (ids outside the vocabulary left out) and the end-of-turn texts. */
    private static List<Integer> endOfGeneration(List<SpecialToken> special, List<String> tokens) {
        Map<String, Integer> roles = new HashMap<>();
        for (SpecialToken t : special)
            if (t.id() >= 0 && t.id() < tokens.size()) roles.putIfAbsent(t.role().toLowerCase(Locale.ROOT), t.id());
        return SpecialTokenRoles.endOfGeneration(roles, tokens).stream().boxed().toList();
    }

    /** True when prefix, suffix and middle tokens are all known (the model can infill). */
    public boolean supportsInfill() {
        Set<String> roles = new HashSet<>();
        for (SpecialToken t : specialTokens) roles.add(t.role());
        return roles.containsAll(List.of("FIM_PRE", "FIM_SUF", "FIM_MID"));
    }
}
