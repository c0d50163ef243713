package dev.codellm.train.tokenizer;

import dev.codellm.core.CodellmException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A byte-level BPE vocabulary (GGUF {@code tokenizer.ggml.model=gpt2}): token spellings, merges in
 * rank order and special tokens. Encodes the way GPT-2/llama.cpp do: split with the GPT-2 regex,
 * then within each piece repeatedly merge the adjacent pair of lowest merge rank.
 */
public final class BpeTokenizer {
    /** GGUF token types (llama.cpp): normal and control. */
    public static final int TYPE_NORMAL = 1, TYPE_CONTROL = 3;

    private final List<String> tokens;
    private final int[] types;
    private final List<String> merges;
    private final Map<String, Integer> ids = new HashMap<>();
    /** (left id, right id) → rank, and → merged id. */
    private final Map<Long, Integer> rank = new HashMap<>();
    private final Map<Long, Integer> merged = new HashMap<>();
    private final int[] byteIds = new int[256];
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    public BpeTokenizer(List<String> tokens, int[] types, List<String> merges) {
        this.tokens = List.copyOf(tokens);
        this.types = types.clone();
        this.merges = List.copyOf(merges);
        for (int i = 0; i < tokens.size(); i++) if (types[i] != TYPE_CONTROL) ids.putIfAbsent(tokens.get(i), i);
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) throw new CodellmException("byte-level vocabulary lacks the token for byte " + b);
            byteIds[b] = id;
        }
        for (int r = 0; r < merges.size(); r++) {
            String m = merges.get(r);
            int sp = m.indexOf(' ', 1);
            if (sp < 0) throw new CodellmException("malformed merge '" + m + "' (expected 'left right')");
            String l = m.substring(0, sp), rt = m.substring(sp + 1);
            Integer li = ids.get(l), ri = ids.get(rt), mi = ids.get(l + rt);
            if (li == null || ri == null || mi == null) throw new CodellmException("merge '" + m + "' refers to tokens missing from the vocabulary");
            long key = pair(li, ri);
            rank.putIfAbsent(key, r);
            merged.putIfAbsent(key, mi);
        }
    }

    static long pair(int a, int b) { return ((long) a << 32) | (b & 0xFFFFFFFFL); }

    public int size() { return tokens.size(); }
    public List<String> tokens() { return tokens; }
    public int[] types() { return types.clone(); }
    public List<String> merges() { return merges; }

    /** Id of a special (control) token by its text, e.g. "&lt;PRE&gt;". */
    public int special(String text) {
        for (int i = 0; i < tokens.size(); i++) if (types[i] == TYPE_CONTROL && tokens.get(i).equals(text)) return i;
        throw new CodellmException("vocabulary has no special token " + text);
    }

    /** Plain text to ids; special-token text inside it is encoded as ordinary bytes. */
    public int[] encode(String text) {
        List<String> pieces = ByteLevel.split(text);
        int[][] parts = new int[pieces.size()][];
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = cache.computeIfAbsent(pieces.get(i), this::encodePiece);
            n += parts[i].length;
        }
        int[] out = new int[n];
        int o = 0;
        for (int[] p : parts) { System.arraycopy(p, 0, out, o, p.length); o += p.length; }
        return out;
    }

    private int[] encodePiece(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        int[] sym = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) sym[i] = byteIds[bytes[i] & 0xFF];
        int n = sym.length;
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            long bestPair = 0;
            for (int i = 0; i + 1 < n; i++) {
                Integer r = rank.get(pair(sym[i], sym[i + 1]));
                if (r != null && r < best) { best = r; bestPair = pair(sym[i], sym[i + 1]); }
            }
            if (best == Integer.MAX_VALUE) break;
            int to = merged.get(bestPair), w = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && pair(sym[i], sym[i + 1]) == bestPair) { sym[w++] = to; i++; }
                else sym[w++] = sym[i];
            }
            n = w;
        }
        return java.util.Arrays.copyOf(sym, n);
    }

    /** Ids back to text; control tokens are skipped. */
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) if (types[id] != TYPE_CONTROL) ByteLevel.unspell(tokens.get(id), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The vocabulary stored in a GGUF (tokens, token types, merges). */
    public static BpeTokenizer fromGguf(dev.codellm.train.gguf.GgufIn g) {
        String model = g.string("tokenizer.ggml.model");
        if (!"gpt2".equals(model)) throw new CodellmException("tokenizer.ggml.model is " + model + "; the trainer's tokenizer handles byte-level BPE (gpt2) only");
        List<String> toks = new ArrayList<>();
        for (Object o : g.array("tokenizer.ggml.tokens")) toks.add((String) o);
        int[] types = new int[toks.size()];
        java.util.Arrays.fill(types, TYPE_NORMAL);
        if (g.metadata().containsKey("tokenizer.ggml.token_type")) {
            List<Object> t = g.array("tokenizer.ggml.token_type");
            for (int i = 0; i < types.length && i < t.size(); i++) types[i] = ((Number) t.get(i)).intValue();
        }
        List<String> merges = new ArrayList<>();
        for (Object o : g.array("tokenizer.ggml.merges")) merges.add((String) o);
        return new BpeTokenizer(toks, types, merges);
    }
}
