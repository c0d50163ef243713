package dev.codellm.model.tokenizer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts special tokens out of raw text before the encoder sees it (llama.cpp's
 * {@code tokenizer_st_partition}): longer tokens first; control and unknown tokens only when the
 * caller asks to parse special tokens, user-defined tokens always.
 */
final class SpecialSplitter {
    /** A piece of the input: raw text {@code [start, end)}, or a token when {@code token >= 0}. */
    record Fragment(int start, int end, int token) {
        boolean isText() { return token < 0; }
    }

    private record Special(String text, int id, boolean alwaysParsed) {}

    private final List<Special> specials;
    private final Node trie = new Node();
    private final BitSet firstChars = new BitSet(0x10000);

    /** A character trie over the special texts: finds which of them occur in one pass over the input. */
    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        int special = -1; // index into specials of the text ending here
    }

    SpecialSplitter(List<String> tokens, TokenType[] types) {
        List<Special> list = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            TokenType t = types[id];
            String text = tokens.get(id);
            if (text.isEmpty()) continue;
            if (t == TokenType.CONTROL || t == TokenType.UNKNOWN) list.add(new Special(text, id, false));
            else if (t == TokenType.USER_DEFINED) list.add(new Special(text, id, true));
        }
        list.sort(Comparator.comparingInt((Special s) -> -s.text().length()).thenComparingInt(Special::id));
        specials = List.copyOf(list);
        for (int i = 0; i < specials.size(); i++) {
            String text = specials.get(i).text();
            Node node = trie;
            for (int c = 0; c < text.length(); c++) node = node.children.computeIfAbsent(text.charAt(c), k -> new Node());
            if (node.special < 0) node.special = i;
            firstChars.set(text.charAt(0));
        }
    }

    /** Which specials occur in the text (by index), found in one pass instead of one search per special. */
    private BitSet occurring(String text) {
        BitSet found = new BitSet(specials.size());
        for (int i = 0; i < text.length(); i++) {
            if (!firstChars.get(text.charAt(i))) continue;
            Node node = trie;
            for (int j = i; j < text.length(); j++) {
                node = node.children.get(text.charAt(j));
                if (node == null) break;
                if (node.special >= 0) found.set(node.special);
            }
        }
        return found;
    }

    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) return fragments;
        fragments.add(new Fragment(0, text.length(), -1));
        BitSet occurring = occurring(text);
        for (int k = occurring.nextSetBit(0); k >= 0; k = occurring.nextSetBit(k + 1)) {
            Special s = specials.get(k);
            if (!parseSpecial && !s.alwaysParsed()) continue;
            List<Fragment> next = new ArrayList<>(fragments.size() + 4);
            for (Fragment f : fragments) {
                if (!f.isText()) {
                    next.add(f);
                    continue;
                }
                int pos = f.start();
                while (true) {
                    int at = text.indexOf(s.text(), pos);
                    if (at < 0 || at + s.text().length() > f.end()) break;
                    if (at > pos) next.add(new Fragment(pos, at, -1));
                    next.add(new Fragment(at, at + s.text().length(), s.id()));
                    pos = at + s.text().length();
                }
                if (pos < f.end()) next.add(new Fragment(pos, f.end(), -1));
            }
            fragments = next;
        }
        return fragments;
    }
}
