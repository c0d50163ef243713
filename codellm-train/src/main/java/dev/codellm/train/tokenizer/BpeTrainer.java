package dev.codellm.train.tokenizer;

import dev.codellm.model.tokenizer.ByteLevel;
import dev.codellm.model.tokenizer.PreTokenizer;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.model.tokenizer.TokenType;
import dev.codellm.model.tokenizer.Vocabulary;
import dev.codellm.model.tokenizer.SpecialTokens;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Learns byte-level BPE merges from text (Sennrich et al. / GPT-2): count the words of the model
 * module's GPT-2 pre-tokenizer (the very splitter the trained vocabulary's encoder runs), then
 * repeatedly merge the most frequent adjacent pair (ties: the lexically smallest pair of ids, so
 * runs are reproducible). Pair counts are updated incrementally, only for words that contain the
 * merged pair.
 */
public final class BpeTrainer {
    /** The {@code tokenizer.ggml.pre} of learned vocabularies: words are split alike when learning and encoding. */
    public static final String PRE_TOKENIZER = "gpt-2";

    private static final PreTokenizer WORDS = PreTokenizer.of(PRE_TOKENIZER);

    private final Map<String, Integer> wordCounts = new HashMap<>();

    /** Adds a document's pre-tokens to the counts. */
    public void add(String text) {
        for (String piece : WORDS.words(text)) wordCounts.merge(piece, 1, Integer::sum);
    }

    /**
     * Learns up to {@code merges} merges and returns the vocabulary: the 256 byte tokens (ids in
     * byte order), one token per merge, then the given special tokens as control tokens (those
     * with a Code Llama spelling, see {@link SpecialTokens#CODE_LLAMA_ROLES}, also get their role: BOS, FIM...).
     */
    public Tokenizer train(int merges, List<String> specials) {
        List<String> spell = new ArrayList<>();
        Map<String, Integer> spellIds = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            spell.add(String.valueOf(ByteLevel.charOf(b)));
            spellIds.put(spell.get(b), b);
        }
        int nw = wordCounts.size();
        int[][] words = new int[nw][];
        int[] counts = new int[nw];
        int w = 0;
        for (var e : wordCounts.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] sym = new int[bytes.length]; // byte tokens have ids in byte order
            for (int i = 0; i < sym.length; i++) sym[i] = bytes[i] & 0xFF;
            words[w] = sym;
            counts[w++] = e.getValue();
        }
        Map<Long, Long> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> where = new HashMap<>();
        for (int i = 0; i < nw; i++) addPairs(words[i], counts[i], i, pairCounts, where);
        List<String> mergeList = new ArrayList<>();
        for (int m = 0; m < merges; m++) {
            long best = -1, bestCount = 0;
            for (var e : pairCounts.entrySet()) {
                long c = e.getValue();
                if (c > bestCount || (c == bestCount && c > 0 && Long.compareUnsigned(e.getKey(), best) < 0)) { best = e.getKey(); bestCount = c; }
            }
            if (bestCount < 2) break;
            int left = (int) (best >>> 32), right = (int) best;
            // two merge paths can spell the same string ("ab"+"c", "a"+"bc"): keep one token
            String joined = spell.get(left) + spell.get(right);
            Integer existing = spellIds.get(joined);
            int to = existing != null ? existing : spell.size();
            if (existing == null) { spell.add(joined); spellIds.put(joined, to); }
            mergeList.add(spell.get(left) + " " + spell.get(right));
            for (int wi : where.remove(best)) {
                int[] sym = words[wi];
                if (!contains(sym, left, right)) continue;
                removePairs(sym, counts[wi], pairCounts);
                words[wi] = merge(sym, left, right, to);
                addPairs(words[wi], counts[wi], wi, pairCounts, where);
            }
            pairCounts.remove(best);
        }
        List<String> tokens = new ArrayList<>(spell);
        tokens.addAll(specials);
        int[] types = new int[tokens.size()];
        Arrays.fill(types, TokenType.NORMAL.code);
        Map<String, Integer> roles = new HashMap<>();
        for (int i = spell.size(); i < types.length; i++) {
            types[i] = TokenType.CONTROL.code;
            String role = SpecialTokens.CODE_LLAMA_ROLES.get(tokens.get(i));
            if (role != null) roles.put(role, i);
        }
        // the same metadata ModelGguf.putTokenizer writes, so a reloaded vocabulary encodes alike
        return Tokenizer.of(new Vocabulary("gpt2", PRE_TOKENIZER, tokens, null, types, mergeList, roles,
                roles.containsKey("bos"), false, null, "trained"));
    }

    /** Packs an adjacent (left, right) id pair into one map key. */
    static long pair(int a, int b) { return ((long) a << 32) | (b & 0xFFFFFFFFL); }

    private static boolean contains(int[] sym, int a, int b) {
        for (int i = 0; i + 1 < sym.length; i++) if (sym[i] == a && sym[i + 1] == b) return true;
        return false;
    }

    private static int[] merge(int[] sym, int a, int b, int to) {
        int[] out = new int[sym.length];
        int n = 0;
        for (int i = 0; i < sym.length; i++) {
            if (i + 1 < sym.length && sym[i] == a && sym[i + 1] == b) { out[n++] = to; i++; }
            else out[n++] = sym[i];
        }
        return Arrays.copyOf(out, n);
    }

    private static void addPairs(int[] sym, int count, int wi, Map<Long, Long> pc, Map<Long, Set<Integer>> where) {
        for (int i = 0; i + 1 < sym.length; i++) {
            long p = pair(sym[i], sym[i + 1]);
            pc.merge(p, (long) count, Long::sum);
            where.computeIfAbsent(p, k -> new HashSet<>()).add(wi);
        }
    }

    private static void removePairs(int[] sym, int count, Map<Long, Long> pc) {
        for (int i = 0; i + 1 < sym.length; i++) {
            long p = pair(sym[i], sym[i + 1]);
            Long c = pc.get(p);
            if (c == null) continue;
            if (c - count <= 0) pc.remove(p); else pc.put(p, c - count);
        }
    }
}
