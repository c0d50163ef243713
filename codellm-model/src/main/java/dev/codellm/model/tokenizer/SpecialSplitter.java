package dev.codellm.model.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

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
    }

    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) return fragments;
        fragments.add(new Fragment(0, text.length(), -1));
        for (Special s : specials) {
            if (!parseSpecial && !s.alwaysParsed()) continue;
            if (!text.contains(s.text())) continue;
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
