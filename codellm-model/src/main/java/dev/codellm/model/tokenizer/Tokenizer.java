package dev.codellm.model.tokenizer;

import dev.codellm.core.IntList;
import dev.codellm.core.CodellmException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Text to token ids and back, for the two tokenizer families GGUF models use: SentencePiece
 * ({@code tokenizer.ggml.model = "llama"}: Llama, Code Llama) and byte-level BPE ({@code "gpt2"}:
 * GPT-2, StarCoder, DeepSeek-Coder, ...). Results match llama.cpp token for token. Instances are
 * immutable and safe to share between threads.
 */
public final class Tokenizer {
    /** Which algorithm a vocabulary uses. */
    public enum Kind { SENTENCEPIECE, BYTE_LEVEL_BPE }

    private final Vocabulary vocabulary;
    private final Kind kind;
    private final SpecialTokens special;
    private final SpecialSplitter splitter;
    private final byte[][] pieces;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final SpmEncoder spm;
    private final BpeEncoder bpe;

    private Tokenizer(Vocabulary v) {
        this.vocabulary = v;
        this.kind = switch (v.model().toLowerCase(Locale.ROOT)) {
            case "llama" -> Kind.SENTENCEPIECE;
            case "gpt2" -> Kind.BYTE_LEVEL_BPE;
            default -> throw new CodellmException(Vocabulary.label(v.name()) + ": unsupported tokenizer model '" + v.model()
                    + "' (tokenizer.ggml.model); supported: llama (SentencePiece), gpt2 (byte-level BPE)");
        };
        int n = v.size();
        this.special = new SpecialTokens(v, kind == Kind.SENTENCEPIECE);
        this.splitter = new SpecialSplitter(v.tokens(), special.types);
        if (kind == Kind.SENTENCEPIECE) {
            this.addBos = v.addBos() == null || v.addBos();
            this.addEos = v.addEos() != null && v.addEos();
            this.addSpacePrefix = v.addSpacePrefix() == null || v.addSpacePrefix();
            this.pieces = sentencePiecePieces(v, special.types);
            this.spm = buildSpm(v, special.types);
            this.bpe = null;
        } else {
            PreTokenizer pre = PreTokenizer.forName(v.preTokenizer(), v.name());
            this.addBos = v.addBos() != null ? v.addBos() : pre.kind().addBos();
            this.addEos = v.addEos() != null && v.addEos();
            this.addSpacePrefix = v.addSpacePrefix() != null && v.addSpacePrefix();
            this.pieces = byteLevelPieces(v, special.types);
            this.bpe = buildBpe(v, special.types, pieces, pre);
            this.spm = null;
        }
        if (addBos && !special.ids.containsKey("bos"))
            throw new CodellmException(Vocabulary.label(v.name()) + ": add_bos_token is set but the vocabulary has no BOS token id");
        if (n != pieces.length) throw new IllegalStateException("piece table size");
    }

    /** The tokenizer stored in a GGUF file's {@code tokenizer.ggml.*} metadata. */
    public static Tokenizer fromGguf(dev.codellm.model.gguf.GgufFile gguf) {
        return new Tokenizer(Vocabulary.fromGguf(gguf));
    }

    /** Opens a GGUF file just to read its tokenizer. */
    public static Tokenizer fromGguf(java.nio.file.Path path) {
        try (var gguf = dev.codellm.model.gguf.GgufFile.open(path)) {
            return fromGguf(gguf);
        }
    }

    /** A tokenizer for a vocabulary (usually {@link Vocabulary#fromGguf}). */
    public static Tokenizer of(Vocabulary vocabulary) {
        return new Tokenizer(vocabulary);
    }

    public Vocabulary vocabulary() { return vocabulary; }

    public Kind kind() { return kind; }

    /** The special-token roles as settled for this vocabulary (BOS, EOS, the infilling tokens, ...). */
    public SpecialTokens specialTokens() { return special; }

    public int vocabSize() { return vocabulary.size(); }

    /**
     * The ids for {@code text}.
     *
     * @param addBos       start with BOS when the model asks for it ({@code tokenizer.ggml.add_bos_token};
     *                     true by default for SentencePiece); also ends with EOS where the model
     *                     sets {@code add_eos_token} (none of the usual code models do)
     * @param parseSpecial turn the text of control tokens (e.g. {@code <s>}, {@code <|endoftext|>})
     *                     into those tokens; when false they are encoded as plain text. User-defined
     *                     tokens are always recognised, as in llama.cpp and Hugging Face tokenizers.
     */
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addBos && this.addBos) out.add(special.ids.get("bos"));
        boolean afterSpecial = true; // SentencePiece adds its dummy space at the start and after each special token
        for (SpecialSplitter.Fragment f : splitter.split(text, parseSpecial)) {
            if (!f.isText()) {
                out.add(f.token());
                afterSpecial = true;
                continue;
            }
            String part = text.substring(f.start(), f.end());
            if (spm != null) spm.encode(part, addSpacePrefix && afterSpecial, out);
            else bpe.encode(part, out);
            afterSpecial = false;
        }
        if (addBos && addEos && special.ids.containsKey("eos")) out.add(special.ids.get("eos"));
        return out.toArray();
    }

    /** Encodes plain text: no BOS, special-token text taken literally. */
    public int[] encode(String text) { return encode(text, false, false); }

    /**
     * The text for {@code ids}. Control and unknown tokens (BOS, EOS, ...) are left out; for
     * SentencePiece the dummy space the encoder adds in front is removed again, so that
     * {@code decode(encode(s)) equals s}. Bytes that do not form valid UTF-8 become U+FFFD.
     */
    public String decode(int[] ids) { return decode(ids, false); }

    /** As {@link #decode(int[])}, with {@code renderSpecial} writing control tokens as their text. */
    public String decode(int[] ids, boolean renderSpecial) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        boolean stripSpace = addSpacePrefix;
        for (int id : ids) {
            checkId(id);
            if (!renderSpecial && isHidden(id)) continue;
            byte[] piece = pieces[id];
            int from = stripSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            if (piece.length > 0) stripSpace = false;
            out.write(piece, from, piece.length - from);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The raw bytes token {@code id} stands for (for BPE the byte-level spelling undone, for
     * SentencePiece '▁' as a space and {@code <0xXX>} as that byte). A character may be split over
     * several tokens, so the bytes need not be valid UTF-8 on their own: see {@link StreamingDecoder}.
     * Control tokens give their text.
     */
    public byte[] tokenBytes(int id) {
        checkId(id);
        return pieces[id].clone();
    }

    /** The token's text as stored in the vocabulary (e.g. "▁Hello", "Ġworld", "&lt;s&gt;"). */
    public String tokenText(int id) {
        checkId(id);
        return vocabulary.tokens().get(id);
    }

    public TokenType tokenType(int id) {
        checkId(id);
        return special.types[id];
    }

    /** A decoder for streamed ids that only ever returns complete UTF-8 text. */
    public StreamingDecoder streamingDecoder() { return new StreamingDecoder(this); }

    public OptionalInt bos() { return specialId("bos"); }

    public OptionalInt eos() { return specialId("eos"); }

    /** End of turn / end of infill (Code Llama's {@code <EOT>}, GPT-style {@code <|endoftext|>}, ...). */
    public OptionalInt eot() { return specialId("eot"); }

    /** Code Llama's {@code <PRE>} and its equivalents in other vocabularies. */
    public OptionalInt fimPrefix() { return specialId("fim_pre"); }

    /** Code Llama's {@code <SUF>}. */
    public OptionalInt fimSuffix() { return specialId("fim_suf"); }

    /** Code Llama's {@code <MID>}. */
    public OptionalInt fimMiddle() { return specialId("fim_mid"); }

    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("<pre>", "fim_pre"), Map.entry("pre", "fim_pre"), Map.entry("prefix", "fim_pre"),
            Map.entry("<suf>", "fim_suf"), Map.entry("suf", "fim_suf"), Map.entry("suffix", "fim_suf"),
            Map.entry("<mid>", "fim_mid"), Map.entry("mid", "fim_mid"), Map.entry("middle", "fim_mid"),
            Map.entry("<eot>", "eot"), Map.entry("unknown", "unk"), Map.entry("padding", "pad"));

    /**
     * A special token by role: {@code bos, eos, eot, eom, unk, sep, pad, mask, fim_pre, fim_suf,
     * fim_mid, fim_pad, fim_rep, fim_sep}, or Code Llama's names {@code <PRE> <SUF> <MID> <EOT>}
     * (also {@code prefix, suffix, middle}); otherwise the id of a control or user-defined token
     * with exactly that text (e.g. {@code "<|endoftext|>"}).
     */
    public OptionalInt specialId(String name) {
        String role = ALIASES.getOrDefault(name.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
        Integer id = special.ids.get(role);
        if (id != null) return OptionalInt.of(id);
        List<String> tokens = vocabulary.tokens();
        for (int i = 0; i < tokens.size(); i++) {
            TokenType t = special.types[i];
            if ((t == TokenType.CONTROL || t == TokenType.USER_DEFINED) && tokens.get(i).equals(name)) return OptionalInt.of(i);
        }
        return OptionalInt.empty();
    }

    /** True for tokens that end generation: EOS, EOT, EOM and the end-of-turn tokens llama.cpp knows. */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && id < vocabSize() && special.endOfGeneration.get(id);
    }

    /** True for control tokens (BOS, EOS, FIM markers, ...), which {@link #decode} leaves out. */
    public boolean isControl(int id) {
        checkId(id);
        return special.types[id] == TokenType.CONTROL;
    }

    /** Whether {@code encode(text, true, ...)} starts with BOS for this model. */
    public boolean addsBos() { return addBos; }

    boolean isHidden(int id) {
        TokenType t = special.types[id];
        return t == TokenType.CONTROL || t == TokenType.UNKNOWN;
    }

    byte[] piece(int id) { return pieces[id]; }

    void checkId(int id) {
        if (id < 0 || id >= pieces.length)
            throw new CodellmException("token id " + id + " is outside the vocabulary (0.." + (pieces.length - 1) + ")");
    }

    // ---- construction ----

    private static byte[][] texts(Vocabulary v) {
        byte[][] texts = new byte[v.size()][];
        for (int i = 0; i < texts.length; i++) texts[i] = v.tokens().get(i).getBytes(StandardCharsets.UTF_8);
        return texts;
    }

    private static byte[][] sentencePiecePieces(Vocabulary v, TokenType[] types) {
        byte[][] pieces = new byte[v.size()][];
        for (int i = 0; i < pieces.length; i++) {
            String text = v.tokens().get(i);
            int b = types[i] == TokenType.BYTE ? byteValue(text) : -1;
            if (b >= 0) pieces[i] = new byte[] {(byte) b};
            else if (types[i] == TokenType.NORMAL || types[i] == TokenType.UNUSED || types[i] == TokenType.UNDEFINED)
                pieces[i] = text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
            else pieces[i] = text.getBytes(StandardCharsets.UTF_8);
        }
        return pieces;
    }

    private static byte[][] byteLevelPieces(Vocabulary v, TokenType[] types) {
        byte[][] pieces = new byte[v.size()][];
        for (int i = 0; i < pieces.length; i++) {
            String text = v.tokens().get(i);
            byte[] decoded = null;
            if (types[i] == TokenType.BYTE) {
                int b = byteValue(text);
                if (b >= 0) decoded = new byte[] {(byte) b};
            } else if (types[i] == TokenType.NORMAL || types[i] == TokenType.UNUSED || types[i] == TokenType.UNDEFINED) {
                decoded = ByteLevel.decode(text);
            }
            pieces[i] = decoded != null ? decoded : text.getBytes(StandardCharsets.UTF_8);
        }
        return pieces;
    }

    /** The byte a {@code <0xXX>} token stands for, or -1. */
    static int byteValue(String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || text.charAt(5) != '>') return -1;
        try {
            return Integer.parseInt(text.substring(3, 5), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static SpmEncoder buildSpm(Vocabulary v, TokenType[] types) {
        byte[][] texts = texts(v);
        TokenIndex index = new TokenIndex(texts);
        boolean[] mergeable = new boolean[texts.length];
        float[] scores = new float[texts.length];
        for (int i = 0; i < texts.length; i++) {
            TokenType t = types[i];
            mergeable[i] = t == TokenType.NORMAL || t == TokenType.USER_DEFINED || t == TokenType.UNDEFINED;
            scores[i] = v.score(i);
        }
        int unk = v.specialIds().getOrDefault("unk", 0);
        int[] byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            int id = index.find(String.format("<0x%02X>", b).getBytes(StandardCharsets.US_ASCII));
            if (id < 0) id = index.find(new byte[] {(byte) b});
            byteTokens[b] = id >= 0 ? id : unk;
        }
        return new SpmEncoder(index, texts, scores, mergeable, byteTokens);
    }

    private static BpeEncoder buildBpe(Vocabulary v, TokenType[] types, byte[][] pieces, PreTokenizer pre) {
        Map<String, Integer> ids = new java.util.HashMap<>(v.size() * 2);
        for (int i = v.size() - 1; i >= 0; i--) ids.put(v.tokens().get(i), i); // lowest id wins for duplicates
        int[] byteTokens = new int[256];
        for (int b = 0; b < 256; b++) byteTokens[b] = ids.getOrDefault(String.valueOf(ByteLevel.charOf(b)), -1);
        int[] tokenLength = new int[pieces.length];
        for (int i = 0; i < pieces.length; i++) tokenLength[i] = pieces[i].length;
        PairTable merges = new PairTable(v.merges().size());
        int rank = 0;
        for (String merge : v.merges()) {
            int space = merge.indexOf(' ', 1);
            if (space < 0) throw new CodellmException(Vocabulary.label(v.name()) + ": malformed BPE merge #" + rank + " '" + merge + "' (no space)");
            String left = merge.substring(0, space), right = merge.substring(space + 1);
            Integer l = ids.get(left), r = ids.get(right), m = ids.get(left + right);
            // A merge whose parts or result are not tokens can never apply to token-spelled symbols.
            if (l != null && r != null && m != null) merges.put(l, r, rank, m);
            rank++;
        }
        TokenIndex wholeWords = null;
        if (pre.kind().ignoreMerges()) {
            byte[][] normal = new byte[pieces.length][];
            for (int i = 0; i < pieces.length; i++) if (types[i] == TokenType.NORMAL) normal[i] = pieces[i];
            wholeWords = new TokenIndex(normal);
        }
        return new BpeEncoder(byteTokens, merges, tokenLength, pre, wholeWords);
    }
}
